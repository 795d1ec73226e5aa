#include "lib/call/overload_guard.h"

#include <numeric>

namespace pbx::call {

void OverloadGuard::rotate() {
  int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                    time_.monotonicTime().time_since_epoch())
                    .count() /
                100;
  if (now <= currentBucket_) return;
  int64_t steps = std::min<int64_t>(now - currentBucket_, kBuckets);
  for (int64_t i = 1; i <= steps; ++i) buckets_[(currentBucket_ + i) % kBuckets] = 0;
  currentBucket_ = now;
}

uint32_t OverloadGuard::setupsInLastSecond() {
  rotate();
  return std::accumulate(buckets_.begin(), buckets_.end(), 0u);
}

bool OverloadGuard::belowPendingLimit(size_t pendingTransactions) const {
  return options_.maxPendingTransactions == 0 ||
         pendingTransactions <= options_.maxPendingTransactions;
}

bool OverloadGuard::admit(size_t pendingTransactions) {
  if (!belowPendingLimit(pendingTransactions)) return false;
  if (options_.maxCallSetupsPerSecond > 0 &&
      setupsInLastSecond() >= options_.maxCallSetupsPerSecond)
    return false;
  return true;
}

void OverloadGuard::recordSetup() {
  rotate();
  ++buckets_[currentBucket_ % kBuckets];
}

}  // namespace pbx::call
