// HeapReserve: how much fresh memory to fault in ahead of a growing heap.
//
// Fed a reading of the heap now and then (the bytes in use, the bytes free and already
// resident), it keeps a smoothed rate at which the heap is being taken and asks for enough to
// keep about `leadSeconds` of that rate free and resident: never less than the floor, never
// more than the ceiling. It asks only once the free part has fallen below half the target, so
// it tops up in few, large steps. A heap that stopped growing asks for nothing. Pure
// arithmetic: HeapWarmer (heap_warmer.h) feeds it from the allocator on its own thread, and the
// tests feed it a made-up heap and clock.
#pragma once

#include <cstddef>
#include <optional>

namespace pbxd {

class HeapReserve {
 public:
  struct Options {
    size_t floorBytes = size_t{4} << 20;
    size_t ceilingBytes = size_t{256} << 20;
    double leadSeconds = 0.5;
    double rateTimeConstantSeconds = 0.5;  // of the smoothed growth rate
  };

  explicit HeapReserve(Options options) : options_(options) {}

  // One reading at `seconds` (any monotonic clock). Returns the bytes to fault in now, 0 for
  // none.
  size_t update(double seconds, size_t inUseBytes, size_t freeBytes);

  double growthBytesPerSecond() const { return rate_; }
  size_t targetBytes() const;

 private:
  Options options_;
  std::optional<double> lastSeconds_;
  size_t lastInUse_ = 0;
  double rate_ = 0;
};

}  // namespace pbxd
