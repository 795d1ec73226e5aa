#include "examples/pbxd/heap_reserve.h"

#include <doctest/doctest.h>

namespace {
constexpr size_t kMiB = size_t{1} << 20;

pbxd::HeapReserve::Options Options() {
  pbxd::HeapReserve::Options o;
  o.floorBytes = 4 * kMiB;
  o.ceilingBytes = 256 * kMiB;
  o.leadSeconds = 0.5;
  o.rateTimeConstantSeconds = 0.5;
  return o;
}
}  // namespace

TEST_CASE("a heap that does not grow is topped up to the floor and no further") {
  pbxd::HeapReserve reserve(Options());
  // First reading: no rate yet, 1 MiB free is below half the 4 MiB floor.
  CHECK(reserve.update(0.0, 100 * kMiB, 1 * kMiB) == 3 * kMiB);
  // Topped up; nothing grows: nothing more, however long it runs.
  for (int i = 1; i <= 500; ++i) CHECK(reserve.update(i * 0.01, 100 * kMiB, 4 * kMiB) == 0);
  CHECK(reserve.growthBytesPerSecond() == 0);
  CHECK(reserve.targetBytes() == 4 * kMiB);
  // Half the floor is still enough; below it, the difference.
  CHECK(reserve.update(5.01, 100 * kMiB, 2 * kMiB) == 0);
  CHECK(reserve.update(5.02, 100 * kMiB, 2 * kMiB - 1) == 2 * kMiB + 1);
}

TEST_CASE("a heap growing at 100 MiB/s is kept half a second ahead") {
  pbxd::HeapReserve reserve(Options());
  size_t inUse = 100 * kMiB;
  double t = 0;
  reserve.update(t, inUse, 64 * kMiB);
  // 1 MiB every 10 ms for 5 s (ten time constants): the rate settles at 100 MiB/s.
  for (int i = 0; i < 500; ++i) {
    t += 0.01;
    inUse += kMiB;
    reserve.update(t, inUse, 64 * kMiB);
  }
  CHECK(reserve.growthBytesPerSecond() == doctest::Approx(100.0 * kMiB).epsilon(0.001));
  CHECK(reserve.targetBytes() == doctest::Approx(50.0 * kMiB).epsilon(0.001));
  // 30 MiB free is more than half the 50 MiB target: wait. 20 MiB is not: ask for 30.
  t += 0.01, inUse += kMiB;
  CHECK(reserve.update(t, inUse, 30 * kMiB) == 0);
  t += 0.01, inUse += kMiB;
  size_t ask = reserve.update(t, inUse, 20 * kMiB);
  CHECK(ask == doctest::Approx(30.0 * kMiB).epsilon(0.001));
  // The growth stops (calls end, memory comes back): the rate decays and with it the target.
  for (int i = 0; i < 500; ++i) {
    t += 0.01;
    inUse -= kMiB / 2;
    reserve.update(t, inUse, 200 * kMiB);
  }
  CHECK(reserve.growthBytesPerSecond() < 100.0 * kMiB / 1000);
  CHECK(reserve.targetBytes() == 4 * kMiB);
}

TEST_CASE("the target never passes the ceiling, and a stalled clock changes nothing") {
  pbxd::HeapReserve reserve(Options());
  reserve.update(0.0, 0, 512 * kMiB);
  reserve.update(0.1, size_t{10} << 30, 512 * kMiB);  // 10 GiB in 100 ms
  CHECK(reserve.targetBytes() == 256 * kMiB);
  CHECK(reserve.update(0.1, size_t{20} << 30, 0) == 256 * kMiB);  // same instant: no new rate
  CHECK(reserve.targetBytes() == 256 * kMiB);
}
