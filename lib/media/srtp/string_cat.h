// Cat(): concatenates values as fmt formats them. absl::StrCat takes absl::string_view, which
// Debian's Abseil does not alias to std::string_view, so the SRTP code builds messages so.
//
// Thread-safety: a pure function.
#pragma once

#include <fmt/format.h>

#include <iterator>
#include <string>

namespace pbx::media::internal {

template <typename... Args>
std::string Cat(const Args&... args) {
  std::string out;
  (fmt::format_to(std::back_inserter(out), "{}", args), ...);
  return out;
}

}  // namespace pbx::media::internal
