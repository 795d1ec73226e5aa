#include "lib/base/lag_probe.h"

#include <doctest/doctest.h>

#include <vector>

#include "pbx/base/simulated_dispatcher.h"

using namespace std::chrono_literals;

TEST_CASE("the lag probe reports how late a busy loop ran its timer") {
  pbx::SimulatedTimeSource time;
  pbx::SimulatedDispatcher loop(time);
  std::vector<std::chrono::microseconds> samples;
  pbx::LagProbe probe(loop, 100ms, [&](std::chrono::microseconds lag) { samples.push_back(lag); });

  loop.advance(99ms);
  CHECK(samples.empty());
  loop.advance(1ms);  // on time
  REQUIRE(samples.size() == 1);
  CHECK(samples[0] == 0us);

  // A callback that holds the loop for 230 ms from t=150 ms: the probe due at t=200 ms
  // runs when it returns, at t=380 ms.
  loop.advance(50ms);
  loop.post([&] { time.advance(230ms); });
  loop.runPending();
  CHECK(samples.size() == 1);
  loop.advance(0ms);  // the loop's next turn: overdue timers run
  REQUIRE(samples.size() == 2);
  CHECK(samples[1] == 180ms);

  // It re-arms from when it ran: the next one is due 100 ms later, and on time again.
  loop.advance(100ms);
  REQUIRE(samples.size() == 3);
  CHECK(samples[2] == 0us);
}

TEST_CASE("a destroyed lag probe reports nothing more") {
  pbx::SimulatedTimeSource time;
  pbx::SimulatedDispatcher loop(time);
  int samples = 0;
  {
    pbx::LagProbe probe(loop, 100ms, [&](std::chrono::microseconds) { ++samples; });
    loop.advance(250ms);
  }
  CHECK(samples == 2);
  loop.advance(1s);
  CHECK(samples == 2);
  CHECK(loop.armedTimers() == 0);
}
