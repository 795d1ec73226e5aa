// OverloadGuard: decides whether a new call may be set up now.
//
// Two limits: call setups admitted per second (a sliding one-second window, counted in 100 ms
// buckets on the injected clock), and INVITE transactions still waiting for a final response
// (the stack's count). Past either, new INVITEs are answered 503 + Retry-After, which costs
// one response instead of the retransmission storm an overloaded B2BUA otherwise causes.
//
// Thread-safety: signaling thread only.
#pragma once

#include <array>
#include <cstdint>

#include "pbx/base/time_source.h"
#include "pbx/options.h"

namespace pbx::call {

class OverloadGuard {
 public:
  OverloadGuard(const TimeSource& time, const OverloadOptions& options)
      : time_(time), options_(options) {}

  void setOptions(const OverloadOptions& options) { options_ = options; }
  // True if a new call may start; `pendingTransactions` is the stack's current count.
  bool admit(size_t pendingTransactions);
  // Only the backlog limit, for requests of calls admitted earlier.
  bool belowPendingLimit(size_t pendingTransactions) const;
  // Counts an admitted call setup towards the per-second limit.
  void recordSetup();
  uint32_t setupsInLastSecond();

 private:
  void rotate();

  static constexpr int kBuckets = 10;
  const TimeSource& time_;
  OverloadOptions options_;
  std::array<uint32_t, kBuckets> buckets_{};
  int64_t currentBucket_ = 0;  // absolute index of the newest bucket (100 ms units)
};

}  // namespace pbx::call
