#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "pbx/sip/sofia.h"

using namespace std::chrono_literals;

TEST_CASE("the sofia loop runs work posted from other threads, in order") {
  auto loop = pbx::sip::CreateSofiaEventLoop();
  REQUIRE(loop.ok());
  std::string order;
  std::thread producer([&] {
    for (char c : std::string("abc")) (*loop)->post([&order, c] { order.push_back(c); });
    (*loop)->post([&] {
      CHECK((*loop)->isThreadSafe());
      (*loop)->stop();
    });
  });
  (*loop)->run();
  producer.join();
  CHECK(order == "abc");
}

TEST_CASE("sofia timers fire after their delay; disabled ones never") {
  auto loop = pbx::sip::CreateSofiaEventLoop();
  REQUIRE(loop.ok());
  const auto& time = (*loop)->timeSource();
  auto start = time.monotonicTime();
  bool cancelledFired = false;
  pbx::MonotonicTime firedAt{};
  auto cancelled = (*loop)->createTimer([&] { cancelledFired = true; });
  cancelled->enable(10ms);
  cancelled->disable();
  auto timer = (*loop)->createTimer([&] {
    firedAt = time.monotonicTime();
    (*loop)->stop();
  });
  timer->enable(50ms);
  CHECK(timer->enabled());
  (*loop)->run();
  CHECK_FALSE(timer->enabled());
  CHECK_FALSE(cancelledFired);
  CHECK(firedAt - start >= 50ms);
}

TEST_CASE("stop() before run() makes run() return at once") {
  auto loop = pbx::sip::CreateSofiaEventLoop();
  REQUIRE(loop.ok());
  (*loop)->stop();
  (*loop)->run();
}

TEST_CASE("the sofia stack rejects listen lists it cannot bind") {
  auto loop = pbx::sip::CreateSofiaEventLoop();
  REQUIRE(loop.ok());
  pbx::sip::SofiaStackOptions options;
  options.listen = {"udp:127.0.0.1:5999", "tcp:127.0.0.1:6000"};
  auto stack = pbx::sip::CreateSofiaStack(**loop, options);
  CHECK_FALSE(stack.ok());
  options.listen = {"sctp:127.0.0.1:5999"};
  CHECK_FALSE(pbx::sip::CreateSofiaStack(**loop, options).ok());
  CHECK(pbx::sip::ListenEntryToUri("udp:[::1]:5060").value() == "sip:[::1]:5060;transport=udp");
}
