#include "pbx/base/simulated_dispatcher.h"

#include <doctest/doctest.h>

#include <string>
#include <thread>

using namespace std::chrono_literals;

TEST_CASE("timers fire at their due time, in order") {
  pbx::SimulatedTimeSource time;
  pbx::SimulatedDispatcher loop(time);
  std::string order;
  auto a = loop.createTimer([&] { order += "a"; });
  auto b = loop.createTimer([&] { order += "b"; });
  a->enable(5s);
  b->enable(2s);
  loop.advance(1s);
  CHECK(order.empty());
  loop.advance(1s);
  CHECK(order == "b");
  CHECK(a->enabled());
  CHECK_FALSE(b->enabled());
  loop.advance(10s);
  CHECK(order == "ba");
}

TEST_CASE("a timer sees the simulated clock at its due time") {
  pbx::SimulatedTimeSource time;
  pbx::SimulatedDispatcher loop(time);
  auto start = time.monotonicTime();
  std::chrono::nanoseconds seen{};
  auto t = loop.createTimer([&] { seen = time.monotonicTime() - start; });
  t->enable(3s);
  loop.advance(10s);
  CHECK(seen == 3s);
  CHECK(time.monotonicTime() - start == 10s);
}

TEST_CASE("destroying or disabling a timer cancels it") {
  pbx::SimulatedTimeSource time;
  pbx::SimulatedDispatcher loop(time);
  int fired = 0;
  auto t = loop.createTimer([&] { ++fired; });
  t->enable(1s);
  t->disable();
  loop.advance(2s);
  CHECK(fired == 0);
  t->enable(1s);
  t.reset();
  loop.advance(2s);
  CHECK(fired == 0);
  CHECK(loop.armedTimers() == 0);
}

TEST_CASE("re-enabling a timer reschedules it") {
  pbx::SimulatedTimeSource time;
  pbx::SimulatedDispatcher loop(time);
  int fired = 0;
  auto t = loop.createTimer([&] { ++fired; });
  t->enable(5s);
  loop.advance(4s);
  t->enable(5s);
  loop.advance(4s);
  CHECK(fired == 0);
  loop.advance(1s);
  CHECK(fired == 1);
}

TEST_CASE("a timer can re-arm itself from its callback") {
  pbx::SimulatedTimeSource time;
  pbx::SimulatedDispatcher loop(time);
  int fired = 0;
  pbx::TimerPtr t;
  t = loop.createTimer([&] {
    if (++fired < 3) t->enable(1s);
  });
  t->enable(1s);
  loop.advance(10s);
  CHECK(fired == 3);
}

TEST_CASE("posted work runs in order, including work posted from other threads") {
  pbx::SimulatedTimeSource time;
  pbx::SimulatedDispatcher loop(time);
  std::string order;
  loop.post([&] {
    order += "1";
    loop.post([&] { order += "3"; });
  });
  loop.post([&] { order += "2"; });
  std::thread other([&] { loop.post([&] { order += "4"; }); });
  other.join();
  CHECK(loop.runPending() == 4);
  CHECK(order == "1243");
  CHECK(loop.isThreadSafe());
  bool otherSafe = true;
  std::thread([&] { otherSafe = loop.isThreadSafe(); }).join();
  CHECK_FALSE(otherSafe);
}

TEST_CASE("advanceToNextTimer jumps straight to the next due timer") {
  pbx::SimulatedTimeSource time;
  pbx::SimulatedDispatcher loop(time);
  auto start = time.monotonicTime();
  int fired = 0;
  auto t = loop.createTimer([&] { ++fired; });
  t->enable(1h);
  CHECK(loop.advanceToNextTimer());
  CHECK(fired == 1);
  CHECK(time.monotonicTime() - start == 1h);
  CHECK_FALSE(loop.advanceToNextTimer());
}
