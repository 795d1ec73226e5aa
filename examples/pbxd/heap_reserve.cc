#include "examples/pbxd/heap_reserve.h"

#include <algorithm>

namespace pbxd {

size_t HeapReserve::targetBytes() const {
  return std::clamp(static_cast<size_t>(rate_ * options_.leadSeconds), options_.floorBytes,
                    options_.ceilingBytes);
}

size_t HeapReserve::update(double seconds, size_t inUseBytes, size_t freeBytes) {
  if (lastSeconds_ && seconds > *lastSeconds_) {
    double dt = seconds - *lastSeconds_;
    double grew = inUseBytes > lastInUse_ ? static_cast<double>(inUseBytes - lastInUse_) : 0.0;
    rate_ += (grew / dt - rate_) * std::min(1.0, dt / options_.rateTimeConstantSeconds);
  }
  lastSeconds_ = seconds;
  lastInUse_ = inUseBytes;
  size_t target = targetBytes();
  return freeBytes < target / 2 ? target - freeBytes : 0;
}

}  // namespace pbxd
