// RFC 4028 session timers on the simulation harness, on simulated time.
#include <doctest/doctest.h>

#include "pbx/call/call_control.h"
#include "tests/unit/call/fixture.h"

using namespace std::chrono_literals;
using namespace pbx::test;

namespace {
// The simulated phones send no RTP: the RTP timeout must not end the calls first.
pbx::Options Options() {
  auto options = DemoOptions();
  options.media.rtpTimeout = 0s;
  return options;
}

}  // namespace

TEST_CASE("a caller that refreshes keeps its call; one that stops is ended at expiry") {
  TwoPhones t(Options());
  t.alice.options().sessionExpires = 120;
  t.alice.options().supportsTimer = true;
  t.alice.options().refresher = "uac";
  EventRecorder rec(t.pbx.calls());
  auto [out, in] = t.answeredCall();
  CHECK(out->sessionExpires() == 120);
  CHECK(out->refresher() == "uac");
  // Refreshes every minute keep the call up well past the interval.
  for (int i = 0; i < 4; ++i) {
    t.pbx.advance(60s);
    out->reinvite("sendrecv");
    t.pbx.runPending();
    CHECK(out->lastReinviteStatus() == 200);
  }
  CHECK(out->state() == State::kAnswered);
  // No refresh: the PBX ends both legs 32 s before the interval runs out (RFC 4028 10).
  t.pbx.advance(87s);
  CHECK(out->state() == State::kAnswered);
  t.pbx.advance(1s);
  CHECK(out->state() == State::kEnded);
  CHECK(in->state() == State::kEnded);
  REQUIRE(!rec.events.empty());
  CHECK(rec.events.back().end->cause == pbx::call::Cause::kSessionExpired);
}

TEST_CASE("a caller that asks the PBX to refresh gets a re-INVITE every half interval") {
  TwoPhones t(Options());
  t.alice.options().sessionExpires = 100;
  t.alice.options().supportsTimer = true;
  t.alice.options().refresher = "uas";
  auto [out, in] = t.answeredCall();
  CHECK(out->refresher() == "uas");
  t.pbx.advance(50s);
  CHECK(out->reinvitesReceived() == 1);
  t.pbx.advance(50s);
  CHECK(out->reinvitesReceived() == 2);
  t.pbx.advance(5min);
  CHECK(out->state() == State::kAnswered);  // our refreshes keep it alive
  CHECK(in->reinvitesReceived() == 0);      // the callee's leg has no session timer
}

TEST_CASE("a caller without timer support that a proxy gave Session-Expires: the PBX refreshes") {
  TwoPhones t(Options());
  t.alice.options().sessionExpires = 180;
  t.alice.options().supportsTimer = false;
  auto [out, in] = t.answeredCall();
  CHECK(out->refresher() == "uas");
  t.pbx.advance(90s);
  CHECK(out->reinvitesReceived() == 1);
}

TEST_CASE("Session-Expires below Min-SE is refused with 422 and our Min-SE") {
  auto options = Options();
  options.sip.sessionTimer.minSE = 90s;
  TwoPhones t(options);
  t.alice.options().sessionExpires = 30;
  t.alice.options().supportsTimer = true;
  auto& out = t.alice.call("101");
  t.pbx.runPending();
  CHECK(out.finalStatus() == 422);
  CHECK(out.minSE() == 90);
  CHECK(t.pbx.metrics().value("pbx_calls_failed_total", {{"code", "422"}}) == 1);
}

TEST_CASE("a caller that only supports timers gets the configured interval") {
  auto options = Options();
  options.sip.sessionTimer.interval = 600s;
  TwoPhones t(options);
  t.alice.options().sessionExpires = 0;
  t.alice.options().supportsTimer = true;
  auto [out, in] = t.answeredCall();
  CHECK(out->sessionExpires() == 600);
  CHECK(out->refresher() == "uac");
}

TEST_CASE("callers that do not ask for session timers get none") {
  TwoPhones t(Options());
  auto [out, in] = t.answeredCall();
  CHECK(out->sessionExpires() == 0);
  t.pbx.advance(2h);
  CHECK(out->reinvitesReceived() == 0);
}

TEST_CASE("a caller that requires 100rel gets its provisionals reliably, early media included") {
  TwoPhones t(Options());
  t.alice.options().require100rel = true;
  auto& out = t.alice.call("101");
  t.pbx.runPending();
  CHECK(out.provisionals() == std::vector<int>{180});
  CHECK(out.pracksSent() == 1);
  t.bob.incoming()->sessionProgress();
  t.pbx.runPending();
  t.bob.incoming()->answer();
  t.pbx.runPending();
  CHECK(out.state() == State::kAnswered);
  // A caller that does not require it gets them as before, unreliably.
  auto& plain = t.bob.call("100");
  t.pbx.runPending();
  CHECK(plain.provisionals() == std::vector<int>{180});
  CHECK(plain.pracksSent() == 0);
}
