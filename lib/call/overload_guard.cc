#include "lib/call/overload_guard.h"

#include <algorithm>

namespace pbx::call {

namespace {
// The bucket holds a second's worth of setups (at least two). A loaded pbxd that stalls for a
// moment finds the INVITEs that arrived meanwhile waiting in its socket all at once; the
// bucket refills by when pbxd gets to them, not by when they came, so with 200 ms worth a
// stall of a quarter of a second had its catch-up refused (3 to 3,810 503s a step at 1600
// and 2200 calls/s in tools/bench/sip-cps; none with a second's worth). A flood after a
// quiet spell gets twice the limit in its first second; the backlog that can leave is
// bounded by the two backlog checks, which refuse new calls while it lasts.
constexpr double kBurstSeconds = 1.0;
constexpr double kMinBurst = 2.0;
}  // namespace

double OverloadGuard::refill() {
  const double rate = options_.maxCallSetupsPerSecond;
  const double depth = std::max(kMinBurst, rate * kBurstSeconds);
  const MonotonicTime now = time_.monotonicTime();
  if (!refilledAt_) {
    tokens_ = depth;
  } else {
    const double elapsed = std::chrono::duration<double>(now - *refilledAt_).count();
    tokens_ = std::min(depth, tokens_ + elapsed * rate);
  }
  refilledAt_ = now;
  return tokens_;
}

const char* OverloadGuard::Name(Refusal refusal) {
  switch (refusal) {
    case Refusal::kRate:
      return "rate";
    case Refusal::kPending:
      return "pending";
    case Refusal::kReceiveQueue:
      return "receive_queue";
    case Refusal::kNone:
      break;
  }
  return "none";
}

OverloadGuard::Refusal OverloadGuard::checkBacklog(size_t pendingTransactions,
                                                   double receiveQueueFill) const {
  if (options_.maxPendingTransactions != 0 && pendingTransactions > options_.maxPendingTransactions)
    return Refusal::kPending;
  if (options_.maxReceiveQueuePercent != 0 &&
      receiveQueueFill * 100 > options_.maxReceiveQueuePercent)
    return Refusal::kReceiveQueue;
  return Refusal::kNone;
}

OverloadGuard::Refusal OverloadGuard::admit(size_t pendingTransactions, double receiveQueueFill) {
  if (auto refusal = checkBacklog(pendingTransactions, receiveQueueFill); refusal != Refusal::kNone)
    return refusal;
  if (options_.maxCallSetupsPerSecond != 0 && refill() < 1.0) return Refusal::kRate;
  return Refusal::kNone;
}

void OverloadGuard::recordSetup() {
  if (options_.maxCallSetupsPerSecond == 0) return;
  refill();
  tokens_ -= 1.0;
}

}  // namespace pbx::call
