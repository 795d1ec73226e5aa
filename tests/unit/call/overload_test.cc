#include <doctest/doctest.h>

#include "tests/unit/call/fixture.h"

using namespace std::chrono_literals;
using namespace pbx::test;

TEST_CASE("past the call-setup rate, new INVITEs get 503 with Retry-After") {
  auto options = DemoOptions();
  options.sip.overload.maxCallSetupsPerSecond = 2;
  options.sip.overload.retryAfter = 7s;
  pbx::testing::SimulatedPbx pbx(options);
  auto& alice = pbx.addPhone("100", "pw100");
  auto& bob = pbx.addPhone("101", "pw101");
  REQUIRE(alice.registerAccount() == 200);
  REQUIRE(bob.registerAccount() == 200);

  auto& first = alice.call("101");
  auto& second = alice.call("101");
  pbx.runPending();
  auto& third = alice.call("101");
  pbx.runPending();
  CHECK(first.state() == State::kRinging);
  CHECK(second.state() == State::kRinging);
  CHECK(third.state() == State::kFailed);
  CHECK(third.finalStatus() == 503);
  CHECK(third.retryAfter() == 7u);
  CHECK(pbx.metrics().value("pbx_overload_rejections_total") == 1);

  pbx.advance(1100ms);  // the window has moved on
  auto& later = alice.call("101");
  pbx.runPending();
  CHECK(later.state() == State::kRinging);
}

TEST_CASE("past the pending-transaction limit, new INVITEs get 503") {
  auto options = DemoOptions();
  options.sip.overload.maxCallSetupsPerSecond = 0;  // only the transaction limit
  options.sip.overload.maxPendingTransactions = 2;
  pbx::testing::SimulatedPbx pbx(options);
  auto& alice = pbx.addPhone("100", "pw100");
  pbx::testing::SimPhoneOptions silent;
  silent.autoRing = false;  // answers an INVITE with nothing at all, like a stalled next hop
  auto& bob = pbx.addPhone("101", "pw101", silent);
  REQUIRE(alice.registerAccount() == 200);
  REQUIRE(bob.registerAccount() == 200);
  // A call whose fork has had no response holds two unanswered INVITE transactions (caller
  // leg and fork); a new INVITE on top of them makes three, past the limit of two.
  auto& first = alice.call("101");
  pbx.runPending();
  auto& second = alice.call("101");
  pbx.runPending();
  CHECK(first.state() == State::kCalling);
  CHECK(second.finalStatus() == 503);
  CHECK(pbx.metrics().value("pbx_overload_rejections_total") == 1);
  // Once Bob's phone rings, nothing is waiting for a response and calls are admitted again.
  bob.incoming()->ring();
  pbx.runPending();
  CHECK(first.state() == State::kRinging);
  auto& third = alice.call("101");
  pbx.runPending();
  CHECK(third.state() != State::kFailed);
}

TEST_CASE("ringing calls do not count as pending: a busy PBX rings many at once") {
  auto options = DemoOptions();
  options.sip.overload.maxCallSetupsPerSecond = 0;
  options.sip.overload.maxPendingTransactions = 2;
  pbx::testing::SimulatedPbx pbx(options);
  auto& alice = pbx.addPhone("100", "pw100");
  auto& bob = pbx.addPhone("101", "pw101");
  REQUIRE(alice.registerAccount() == 200);
  REQUIRE(bob.registerAccount() == 200);
  std::vector<pbx::testing::SimCall*> calls;
  for (int i = 0; i < 10; ++i) {
    calls.push_back(&alice.call("101"));
    pbx.runPending();
  }
  for (auto* c : calls) CHECK(c->state() == State::kRinging);
  CHECK(pbx.metrics().value("pbx_calls_active") == 10);
}
