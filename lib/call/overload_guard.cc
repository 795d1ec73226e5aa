#include "lib/call/overload_guard.h"

#include <algorithm>

namespace pbx::call {

double OverloadGuard::refill() {
  const double rate = options_.maxCallSetupsPerSecond;
  const MonotonicTime now = time_.monotonicTime();
  if (!refilledAt_) {
    tokens_ = rate;
  } else {
    const double elapsed = std::chrono::duration<double>(now - *refilledAt_).count();
    tokens_ = std::min(rate, tokens_ + elapsed * rate);
  }
  refilledAt_ = now;
  return tokens_;
}

bool OverloadGuard::belowPendingLimit(size_t pendingTransactions) const {
  return options_.maxPendingTransactions == 0 ||
         pendingTransactions <= options_.maxPendingTransactions;
}

bool OverloadGuard::admit(size_t pendingTransactions) {
  if (!belowPendingLimit(pendingTransactions)) return false;
  return options_.maxCallSetupsPerSecond == 0 || refill() >= 1.0;
}

void OverloadGuard::recordSetup() {
  if (options_.maxCallSetupsPerSecond == 0) return;
  refill();
  tokens_ -= 1.0;
}

}  // namespace pbx::call
