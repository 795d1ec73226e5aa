#include "lib/call/overload_guard.h"

#include <algorithm>

namespace pbx::call {

namespace {
// The bucket holds 200 ms worth of setups (at least two): enough for the jitter of a steady
// stream at the limit, while a flood that starts after a quiet spell gets little more than
// the limit admitted in its first second. With a full second's worth, that first second let
// in twice the limit, and the backlog it left could tip a loaded pbxd into retransmissions.
constexpr double kBurstSeconds = 0.2;
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
