// PortAllocator: hands out even/odd port pairs (RTP on the even port, RTCP on the next) from
// a configured range, as a bitmap of pairs searched next-fit from a rotating cursor, so a
// just-released pair is reused last (late packets of an ended call rarely hit a new call).
//
//   PortAllocator ports(20000, 29999);
//   auto port = ports.acquire([&](uint16_t p) { return TryBind(p); });
//   ...
//   ports.release(*port);
//
// Thread-safety: every method may be called from any thread (one mutex).
#pragma once

#include <cstdint>
#include <mutex>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"

namespace pbx::media::internal {

class PortAllocator {
 public:
  // Uses the even ports in [portMin, portMax] whose odd neighbour is also in the range.
  PortAllocator(uint16_t portMin, uint16_t portMax);

  // Offers free pairs (by their even port) to `bind` until it returns OK, and marks that pair
  // used. A pair for which `bind` returns UnavailableError (held by another process) is
  // skipped but stays free; any other error is returned at once. ResourceExhausted when no
  // free pair could be bound.
  absl::StatusOr<uint16_t> acquire(absl::FunctionRef<absl::Status(uint16_t)> bind);
  void release(uint16_t rtpPort);

  size_t pairCount() const { return count_; }
  size_t freePairs() const;

 private:
  const uint16_t first_;  // even port of pair 0
  const size_t count_;
  mutable std::mutex mutex_;
  std::vector<bool> used_ ABSL_GUARDED_BY(mutex_);
  size_t cursor_ ABSL_GUARDED_BY(mutex_) = 0;
  size_t free_ ABSL_GUARDED_BY(mutex_) = 0;
};

}  // namespace pbx::media::internal
