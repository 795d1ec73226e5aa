#include <doctest/doctest.h>

#include "pbx/testing/simulated_signaling_stack.h"
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
  CHECK(pbx.metrics().value("pbx_overload_rejections_total", {{"reason", "rate"}}) == 1);

  pbx.advance(1100ms);  // the window has moved on
  auto& later = alice.call("101");
  pbx.runPending();
  CHECK(later.state() == State::kRinging);
}

TEST_CASE("a new INVITE is refused alike over UDP (screened, stateless) and TCP (its dialog)") {
  for (auto transport : {pbx::sip::Transport::kUdp, pbx::sip::Transport::kTcp}) {
    CAPTURE(std::string(pbx::sip::TransportName(transport)));
    auto options = DemoOptions();
    options.sip.overload.maxCallSetupsPerSecond = 2;
    options.sip.overload.retryAfter = 7s;
    pbx::testing::SimulatedPbx pbx(options);
    auto& alice = pbx.addPhone("100", "pw100");
    alice.options().transport = transport;
    auto& bob = pbx.addPhone("101", "pw101");
    REQUIRE(alice.registerAccount() == 200);
    REQUIRE(bob.registerAccount() == 200);

    // 407, then the INVITE with credentials rings Bob; the third is one too many.
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
    CHECK(pbx.metrics().value("pbx_overload_rejections_total", {{"reason", "rate"}}) == 1);
    // Over UDP all three were answered before any dialog existed: two 407s and the 503.
    const bool udp = transport == pbx::sip::Transport::kUdp;
    CHECK(pbx.metrics().value("pbx_sip_stateless_responses_total", {{"code", "407"}}) ==
          (udp ? 2 : 0));
    CHECK(pbx.metrics().value("pbx_sip_stateless_responses_total", {{"code", "503"}}) ==
          (udp ? 1 : 0));
  }
}

namespace {
// Alice (100) and Bob (101) registered, with the overload options given.
struct OverloadPbx {
  explicit OverloadPbx(const pbx::OverloadOptions& overload) : pbx(Make(overload)) {
    REQUIRE(alice.registerAccount() == 200);
    REQUIRE(bob.registerAccount() == 200);
  }
  static pbx::Options Make(const pbx::OverloadOptions& overload) {
    auto options = DemoOptions();
    options.sip.overload = overload;
    return options;
  }
  // Places a call from Alice to Bob now.
  pbx::testing::SimCall& place() {
    auto& c = alice.call("101");
    pbx.runPending();
    return c;
  }
  // Places a call now; true when it was admitted (not answered 503).
  bool call() { return place().finalStatus() != 503; }
  pbx::testing::SimulatedPbx pbx;
  pbx::testing::SimPhone& alice = pbx.addPhone("100", "pw100");
  pbx::testing::SimPhone& bob = pbx.addPhone("101", "pw101");
};

// The overload options with this setup rate.
pbx::OverloadOptions Rate(uint32_t rate) {
  pbx::OverloadOptions o;
  o.maxCallSetupsPerSecond = rate;
  return o;
}

// The overload options with this receive-queue limit.
pbx::OverloadOptions QueuePercent(uint32_t percent) {
  pbx::OverloadOptions o;
  o.maxReceiveQueuePercent = percent;
  return o;
}
}  // namespace

TEST_CASE("a steady stream at the call-setup limit is admitted, jitter included") {
  OverloadPbx t(Rate(10));
  // Ten calls a second, 100 ms apart, for three seconds, except that the first call of each
  // new second comes 10 ms early: eleven calls then fall within one second, though the
  // average never exceeds the limit. A one-second sliding window refuses that call.
  int refused = 0;
  std::chrono::milliseconds now{0};
  for (int i = 0; i < 30; ++i) {
    std::chrono::milliseconds at{100 * i - ((i % 10 == 0 && i > 0) ? 10 : 0)};
    t.pbx.advance(at - now);
    now = at;
    if (!t.call()) ++refused;
  }
  CHECK(refused == 0);
}

TEST_CASE("the INVITEs a stalled pbxd finds waiting at once are admitted, if within the rate") {
  OverloadPbx t(Rate(10));
  for (int i = 0; i < 20; ++i) {  // two seconds of a steady stream at the limit
    CHECK(t.call());
    t.pbx.advance(100ms);
  }
  // pbxd stalls for half a second; the five INVITEs that came meanwhile are read in one go.
  // They are within the rate, and the bucket refills by when they are read, so it must hold
  // more than the 200 ms worth that refused three of them.
  t.pbx.advance(400ms);
  int admitted = 0;
  for (int i = 0; i < 5; ++i)
    if (t.call()) ++admitted;
  CHECK(admitted == 5);
}

TEST_CASE("under sustained overload, calls are admitted at the limit after a one-second burst") {
  OverloadPbx t(Rate(10));
  int admitted = 0;
  for (int i = 0; i < 100; ++i) {  // 20 calls a second for five seconds
    if (t.call()) ++admitted;
    t.pbx.advance(50ms);
  }
  // A second's worth at once, then ten a second: 10 + 5 s x 10/s, within a token.
  CHECK(admitted >= 59);
  CHECK(admitted <= 61);
  CHECK(t.pbx.metrics().value("pbx_overload_rejections_total", {{"reason", "rate"}}) ==
        100 - admitted);
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
  CHECK(pbx.metrics().value("pbx_overload_rejections_total", {{"reason", "pending"}}) == 1);
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

TEST_CASE("a SIP receive queue past its limit refuses new calls until it drains") {
  OverloadPbx t(QueuePercent(50));
  auto& before = t.place();
  CHECK(before.state() == State::kRinging);

  t.pbx.stack().setReceiveQueueFill(0.6);  // the signaling thread is behind
  auto& refused = t.place();
  CHECK(refused.finalStatus() == 503);
  CHECK(refused.retryAfter() == 5u);
  CHECK(t.pbx.metrics().value("pbx_overload_rejections_total", {{"reason", "receive_queue"}}) == 1);
  CHECK(before.state() == State::kRinging);  // calls in progress go on
  REQUIRE(t.bob.incoming() != nullptr);
  t.bob.incoming()->answer();
  t.pbx.runPending();
  CHECK(before.state() == State::kAnswered);

  t.pbx.stack().setReceiveQueueFill(0.5);  // caught up to the limit
  CHECK(t.place().state() == State::kRinging);
}

TEST_CASE("max_receive_queue_percent 0 turns the receive-queue check off") {
  OverloadPbx t(QueuePercent(0));
  t.pbx.stack().setReceiveQueueFill(1.0);
  CHECK(t.place().state() == State::kRinging);
}
