#include "lib/base/thread_cpu_clock.h"

#include <doctest/doctest.h>

#include <ctime>
#include <thread>

namespace {
double OwnCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}
}  // namespace

TEST_CASE("a thread's CPU clock counts its work and keeps the total once it has ended") {
  pbx::ThreadCpuClock clock;
  CHECK(clock.seconds() == 0);
  double usedBeforeFinish = 0;
  std::thread worker([&] {
    clock.start();
    // Spin until this thread has used 30 ms of CPU (by its own clock, not by wall time).
    volatile uint64_t spins = 0;
    while (OwnCpuSeconds() < 0.03) spins = spins + 1;
    usedBeforeFinish = OwnCpuSeconds();
    clock.finish();
  });
  worker.join();
  const double total = clock.seconds();
  CHECK(total >= 0.03);
  CHECK(total >= usedBeforeFinish);
  // The ended thread's value is frozen, not read from a clock whose thread id may be reused.
  std::thread other([] {
    volatile uint64_t spins = 0;
    while (OwnCpuSeconds() < 0.01) spins = spins + 1;
  });
  other.join();
  CHECK(clock.seconds() == total);
}
