#include "lib/media/rtp/port_allocator.h"

#include <cassert>
#include <string>

namespace pbx::media::internal {
namespace {

uint16_t FirstEven(uint16_t portMin) {
  return static_cast<uint16_t>(portMin % 2 == 0 ? portMin : portMin + 1);
}

size_t PairsIn(uint16_t portMin, uint16_t portMax) {
  const uint32_t first = FirstEven(portMin);
  if (portMin == 0 || first + 1 > portMax) return 0;
  return (static_cast<uint32_t>(portMax) - first + 1) / 2;
}

}  // namespace

PortAllocator::PortAllocator(uint16_t portMin, uint16_t portMax)
    : first_(FirstEven(portMin)), count_(PairsIn(portMin, portMax)), used_(count_, false) {
  free_ = count_;
}

absl::StatusOr<uint16_t> PortAllocator::acquire(absl::FunctionRef<absl::Status(uint16_t)> bind) {
  std::lock_guard<std::mutex> lock(mutex_);
  const size_t count = count_;
  for (size_t tried = 0; tried < count && free_ > 0; ++tried) {
    const size_t index = cursor_;
    cursor_ = (cursor_ + 1) % count;
    if (used_[index]) continue;
    const auto port = static_cast<uint16_t>(first_ + 2 * index);
    absl::Status status = bind(port);
    if (status.ok()) {
      used_[index] = true;
      --free_;
      return port;
    }
    if (!absl::IsUnavailable(status)) return status;
  }
  return absl::ResourceExhaustedError("no free RTP port pair in [" + std::to_string(first_) + ", " +
                                      std::to_string(first_ + 2 * count - 1) + "]");
}

void PortAllocator::release(uint16_t rtpPort) {
  std::lock_guard<std::mutex> lock(mutex_);
  const size_t index = (rtpPort - first_) / 2;
  assert(rtpPort >= first_ && index < count_ && used_[index]);
  if (index >= count_ || !used_[index]) return;
  used_[index] = false;
  ++free_;
}

size_t PortAllocator::freePairs() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return free_;
}

}  // namespace pbx::media::internal
