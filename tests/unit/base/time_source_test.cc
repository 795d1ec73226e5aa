#include "pbx/base/time_source.h"

#include <doctest/doctest.h>

#include <thread>

using namespace std::chrono_literals;

TEST_CASE("SimulatedTimeSource moves only when advanced") {
  pbx::SimulatedTimeSource time;
  auto m0 = time.monotonicTime();
  auto s0 = time.systemTime();
  CHECK(time.monotonicTime() == m0);
  time.advance(90s);
  CHECK(time.monotonicTime() - m0 == 90s);
  CHECK(time.systemTime() - s0 == 90s);
}

TEST_CASE("SimulatedTimeSource starts at 2026-01-01 wall-clock time") {
  pbx::SimulatedTimeSource time;
  CHECK(std::chrono::duration_cast<std::chrono::seconds>(time.systemTime().time_since_epoch())
            .count() == 1767225600);
}

TEST_CASE("RealTimeSource is monotonic") {
  pbx::RealTimeSource time;
  auto a = time.monotonicTime();
  auto b = time.monotonicTime();
  CHECK(b >= a);
}

TEST_CASE("RealTime() is one process-wide real clock, the same from every thread") {
  const pbx::TimeSource* mine = &pbx::RealTime();
  const pbx::TimeSource* theirs = nullptr;
  std::thread([&] { theirs = &pbx::RealTime(); }).join();
  CHECK(mine == theirs);
  CHECK(mine == &pbx::RealTime());
  CHECK(dynamic_cast<const pbx::RealTimeSource*>(mine) != nullptr);
  auto a = mine->monotonicTime();
  CHECK(mine->monotonicTime() >= a);
}
