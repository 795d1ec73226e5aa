// OverloadGuard: decides whether a new call may be set up now.
//
// Three limits. Call setups are policed by a token bucket on the injected clock: it refills
// at maxCallSetupsPerSecond and holds a second's worth (at least two), so a steady stream at
// the limit is never refused for its jitter nor the catch-up after a stall, a burst after a
// quiet spell gets a second's worth on top, and sustained overload is admitted at the limit.
// The other two limits are backlogs, and hold on any machine: the stack's count of INVITE
// transactions that have had no response yet, and how full the SIP socket's receive buffer
// is. Past any of them, new INVITEs are answered 503 + Retry-After, which costs one response
// instead of the retransmission storm an overloaded B2BUA otherwise causes.
//
// Thread-safety: signaling thread only.
#pragma once

#include <cstdint>
#include <optional>

#include "pbx/base/time_source.h"
#include "pbx/options.h"

namespace pbx::call {

class OverloadGuard {
 public:
  OverloadGuard(const TimeSource& time, const OverloadOptions& options)
      : time_(time), options_(options) {}

  void setOptions(const OverloadOptions& options) { options_ = options; }
  // Why a call is refused; kNone admits it.
  enum class Refusal { kNone, kRate, kPending, kReceiveQueue };
  // The metrics label of a refusal: "rate", "pending" or "receive_queue".
  static const char* Name(Refusal refusal);

  // Whether a new call may start, given the stack's backlog: its INVITE transactions without
  // a response and the fill of its receive queue (SignalingStack).
  Refusal admit(size_t pendingTransactions, double receiveQueueFill);
  // Only the backlog limits, for requests of calls admitted earlier.
  Refusal checkBacklog(size_t pendingTransactions, double receiveQueueFill) const;
  // Counts an admitted call setup against the rate limit.
  void recordSetup();

 private:
  // Brings the bucket up to now; returns the tokens available.
  double refill();

  const TimeSource& time_;
  OverloadOptions options_;
  double tokens_ = 0;
  std::optional<MonotonicTime> refilledAt_;  // unset: the bucket starts full
};

}  // namespace pbx::call
