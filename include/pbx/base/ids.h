// Typed identifiers for calls and legs, so a CallId cannot be passed where a LegId belongs.
//
//   pbx::CallId id = pbx::CallId::Next();
//   log("call {}", id.str());   // "C1F"
//
// Thread-safety: Next() may be called from any thread.
#pragma once

#include <atomic>
#include <compare>
#include <cstdint>
#include <functional>
#include <string>

namespace pbx {

template <typename Tag, char Prefix>
class Id {
 public:
  constexpr Id() = default;
  constexpr explicit Id(uint64_t value) : value_(value) {}

  static Id Next() {
    static std::atomic<uint64_t> counter{0};
    return Id(counter.fetch_add(1, std::memory_order_relaxed) + 1);
  }

  constexpr uint64_t value() const { return value_; }
  constexpr bool valid() const { return value_ != 0; }
  std::string str() const {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out(1, Prefix);
    uint64_t v = value_;
    char digits[16];
    int n = 0;
    do {
      digits[n++] = kHex[v & 0xF];
      v >>= 4;
    } while (v != 0);
    while (n > 0) out.push_back(digits[--n]);
    return out;
  }
  constexpr auto operator<=>(const Id&) const = default;

 private:
  uint64_t value_ = 0;
};

using CallId = Id<struct CallIdTag, 'C'>;
using LegId = Id<struct LegIdTag, 'L'>;

}  // namespace pbx

template <typename Tag, char Prefix>
struct std::hash<pbx::Id<Tag, Prefix>> {
  size_t operator()(const pbx::Id<Tag, Prefix>& id) const noexcept {
    return std::hash<uint64_t>()(id.value());
  }
};
