#include <doctest/doctest.h>

#include "tests/unit/call/fixture.h"

using namespace std::chrono_literals;
using namespace pbx::test;

namespace {
// Alice (100) and extension 102 with two devices, all registered.
struct TwoDevices {
  explicit TwoDevices(pbx::testing::SimPhoneOptions deskOptions = {},
                      pbx::testing::SimPhoneOptions mobileOptions = {})
      : desk(pbx.addPhone("102a", "pw102a", deskOptions)),
        mobile(pbx.addPhone("102b", "pw102b", mobileOptions)) {
    REQUIRE(alice.registerAccount() == 200);
    REQUIRE(desk.registerAccount() == 200);
    REQUIRE(mobile.registerAccount() == 200);
  }
  pbx::testing::SimulatedPbx pbx{DemoOptions()};
  pbx::testing::SimPhone& alice = pbx.addPhone("100", "pw100");
  pbx::testing::SimPhone& desk;
  pbx::testing::SimPhone& mobile;
};

pbx::testing::SimPhoneOptions Busy() {
  pbx::testing::SimPhoneOptions busy;
  busy.rejectIncomingWith = 486;
  return busy;
}
}  // namespace

TEST_CASE("a call between registered extensions rings, is answered and anchors media") {
  TwoPhones t;
  auto& out = t.alice.call("101");
  t.pbx.runPending();
  auto* in = t.bob.incoming();
  REQUIRE(in != nullptr);
  CHECK(in->number() == "100");
  CHECK(out.state() == State::kRinging);
  CHECK(out.provisionals() == std::vector<int>{180});
  CHECK(t.pbx.metrics().value("pbx_calls_active") == 1);

  in->answer();
  t.pbx.runPending();
  CHECK(out.state() == State::kAnswered);
  CHECK(t.pbx.metrics().value("pbx_calls_answered_total") == 1);

  // Both phones were told to send media to the PBX, never to each other.
  CHECK(out.remoteMedia().ip() == "127.0.0.1");
  CHECK(in->remoteMedia().ip() == "127.0.0.1");
  CHECK(out.remoteMedia() != in->remoteMedia());
  CHECK(out.remoteMedia() != in->localMedia());

  CHECK(out.sendRtp(50));
  CHECK(in->sendRtp(40));
  CHECK(in->rtpReceived() == 50);
  CHECK(out.rtpReceived() == 40);
  t.pbx.advance(1s);  // the sweep moves relay counters into the metrics
  CHECK(t.pbx.metrics().value("pbx_rtp_packets_relayed_total",
                              {{"direction", "caller_to_callee"}}) == 50);
  CHECK(t.pbx.metrics().value("pbx_rtp_packets_relayed_total",
                              {{"direction", "callee_to_caller"}}) == 40);
}

TEST_CASE("BYE from the caller ends both legs") {
  TwoPhones t;
  auto [out, in] = t.answeredCall();
  out->hangup();
  t.pbx.runPending();
  CHECK(in->state() == State::kEnded);
  CHECK(in->endReason() == "remote-bye");
  CHECK(t.pbx.activeCalls() == 0);
  CHECK(t.pbx.media().stats().relaysActive == 0);
}

TEST_CASE("BYE from the callee ends both legs") {
  TwoPhones t;
  auto [out, in] = t.answeredCall();
  in->hangup();
  t.pbx.runPending();
  CHECK(out->state() == State::kEnded);
  CHECK(out->endReason() == "remote-bye");
  CHECK(t.pbx.activeCalls() == 0);
}

TEST_CASE(
    "a call forks to every registered device; the first answer wins, the rest are cancelled") {
  TwoDevices t;
  auto& [pbx, alice, desk, mobile] = t;

  auto& out = alice.call("102");
  pbx.runPending();
  auto* atDesk = desk.incoming();
  auto* onMobile = mobile.incoming();
  REQUIRE(atDesk != nullptr);
  REQUIRE(onMobile != nullptr);
  CHECK(out.provisionals() == std::vector<int>{180});  // relayed once, not per fork

  onMobile->answer();
  pbx.runPending();
  CHECK(out.state() == State::kAnswered);
  CHECK(atDesk->state() == State::kEnded);
  CHECK(atDesk->endReason() == "cancelled");
  CHECK(onMobile->state() == State::kAnswered);
}

TEST_CASE("a fork answering after another won is hung up by the stack") {
  TwoDevices t;
  auto& [pbx, alice, desk, mobile] = t;
  auto& out = alice.call("102");
  pbx.runPending();
  auto* atDesk = desk.incoming();
  auto* onMobile = mobile.incoming();
  onMobile->answer();
  atDesk->answer();  // both answer in the same instant
  pbx.runPending();
  CHECK(out.state() == State::kAnswered);
  CHECK(onMobile->state() == State::kAnswered);
  CHECK(atDesk->state() == State::kEnded);
  CHECK(pbx.activeCalls() == 1);
}

TEST_CASE("CANCEL from the caller before the answer cancels every fork") {
  TwoPhones t;
  auto& out = t.alice.call("101");
  t.pbx.runPending();
  auto* in = t.bob.incoming();
  REQUIRE(in != nullptr);
  out.hangup();
  t.pbx.runPending();
  CHECK(in->state() == State::kEnded);
  CHECK(in->endReason() == "cancelled");
  CHECK(t.pbx.activeCalls() == 0);
  CHECK(t.pbx.metrics().value("pbx_calls_failed_total", {{"code", "487"}}) == 1);
}

TEST_CASE("unanswered calls end with 480 after the no-answer timeout") {
  TwoPhones t;
  auto& out = t.alice.call("101");
  t.pbx.runPending();
  auto* in = t.bob.incoming();
  t.pbx.advance(29s);
  CHECK(out.state() == State::kRinging);
  t.pbx.advance(1s);
  CHECK(out.state() == State::kFailed);
  CHECK(out.finalStatus() == 480);
  CHECK(in->state() == State::kEnded);
  CHECK(in->endReason() == "cancelled");
  CHECK(t.pbx.metrics().value("pbx_calls_failed_total", {{"code", "480"}}) == 1);
}

TEST_CASE("a call ringing longer than a minute hears a fresh 180 every minute") {
  auto options = DemoOptions();
  options.sip.noAnswerTimeout = 150s;
  TwoPhones t(options);
  auto& out = t.alice.call("101");
  t.pbx.runPending();
  REQUIRE(t.bob.incoming() != nullptr);
  CHECK(out.provisionals() == std::vector<int>{180});
  t.pbx.advance(59s);
  CHECK(out.provisionals() == std::vector<int>{180});
  t.pbx.advance(1s);
  CHECK(out.provisionals() == std::vector<int>{180, 180});
  t.pbx.advance(60s);
  CHECK(out.provisionals() == std::vector<int>{180, 180, 180});
  CHECK(out.state() == State::kRinging);
  t.pbx.advance(29s);
  CHECK(out.state() == State::kRinging);
  t.pbx.advance(1s);  // 150 s: the no-answer deadline, not a fourth refresh
  CHECK(out.state() == State::kFailed);
  CHECK(out.finalStatus() == 480);
  CHECK(out.provisionals() == std::vector<int>{180, 180, 180});
}

TEST_CASE("an unknown number gets 404") {
  TwoPhones t;
  auto& out = t.alice.call("555");
  t.pbx.runPending();
  CHECK(out.state() == State::kFailed);
  CHECK(out.finalStatus() == 404);
}

TEST_CASE("an extension with nobody registered gets 480") {
  TwoPhones t;
  auto& out = t.alice.call("103");
  t.pbx.runPending();
  CHECK(out.finalStatus() == 480);
}

TEST_CASE("when every fork is busy the caller gets 486") {
  TwoDevices t(Busy(), Busy());
  auto& [pbx, alice, desk, mobile] = t;
  auto& out = alice.call("102");
  pbx.runPending();
  CHECK(out.state() == State::kFailed);
  CHECK(out.finalStatus() == 486);
  CHECK(pbx.metrics().value("pbx_calls_failed_total", {{"code", "486"}}) == 1);
}

TEST_CASE("a callee's answer about pbxd's own request is not passed on as is") {
  // The challenge, the redirect target or the missing extension is about pbxd's INVITE, not
  // the caller's, and their headers are not relayed (RFC 3398's mapping through ISUP causes).
  const std::pair<int, int> cases[] = {{401, 403}, {407, 403}, {302, 480}, {305, 480},
                                       {420, 500}, {415, 488}, {404, 404}, {488, 488}};
  for (auto [callee, caller] : cases) {
    CAPTURE(callee);
    pbx::testing::SimPhoneOptions refusing;
    refusing.rejectIncomingWith = callee;
    TwoDevices t(refusing, refusing);
    auto& out = t.alice.call("102");
    t.pbx.runPending();
    CHECK(out.state() == State::kFailed);
    CHECK(out.finalStatus() == caller);
  }
}

TEST_CASE("one busy fork does not end the call while another rings") {
  TwoDevices t(Busy());
  auto& [pbx, alice, desk, mobile] = t;
  auto& out = alice.call("102");
  pbx.runPending();
  CHECK(out.state() == State::kRinging);
  mobile.incoming()->answer();
  pbx.runPending();
  CHECK(out.state() == State::kAnswered);
}

TEST_CASE("calls need digest authentication; a wrong password gets 403") {
  pbx::testing::SimulatedPbx pbx(DemoOptions());
  auto& bob = pbx.addPhone("101", "pw101");
  REQUIRE(bob.registerAccount() == 200);
  auto& mallory = pbx.addPhone("100", "guess");
  auto& out = mallory.call("101");
  pbx.runPending();
  CHECK(out.finalStatus() == 403);
  CHECK(bob.incoming() == nullptr);
}

TEST_CASE("a re-INVITE refreshes the session and hold is answered in kind") {
  TwoPhones t;
  auto [out, in] = t.answeredCall();
  std::string before = out->remoteSdp();
  out->reinvite("sendrecv");
  t.pbx.runPending();
  CHECK(out->lastReinviteStatus() == 200);
  CHECK(out->remoteSdp() == before);  // nothing changed, same version

  out->reinvite("sendonly");
  t.pbx.runPending();
  CHECK(out->lastReinviteStatus() == 200);
  CHECK(out->remoteSdp().find("a=recvonly") != std::string::npos);
  CHECK(out->remoteSdp() != before);

  in->reinvite("sendrecv");
  t.pbx.runPending();
  CHECK(in->lastReinviteStatus() == 200);
  CHECK(t.pbx.activeCalls() == 1);
}

TEST_CASE("hangupAll ends answered and ringing calls") {
  pbx::testing::SimulatedPbx pbx(DemoOptions());
  auto& alice = pbx.addPhone("100", "pw100");
  auto& bob = pbx.addPhone("101", "pw101");
  auto& dave = pbx.addPhone("103", "pw103");
  REQUIRE(alice.registerAccount() == 200);
  REQUIRE(bob.registerAccount() == 200);
  REQUIRE(dave.registerAccount() == 200);
  auto& answered = alice.call("101");
  pbx.runPending();
  bob.incoming()->answer();
  auto& ringing = dave.call("100");
  pbx.runPending();
  REQUIRE(answered.state() == State::kAnswered);
  REQUIRE(ringing.state() == State::kRinging);
  pbx.hangupAll();
  CHECK(answered.state() == State::kEnded);
  CHECK(ringing.state() == State::kFailed);
  CHECK(pbx.activeCalls() == 0);
}

TEST_CASE("no media ports left gives 503 and no call") {
  TwoPhones t;
  t.pbx.media().setExhausted(true);
  auto& out = t.alice.call("101");
  t.pbx.runPending();
  CHECK(out.finalStatus() == 503);
  CHECK(t.pbx.activeCalls() == 0);
}
