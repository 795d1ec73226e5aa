// Transfers, park and pickup driven by the phones' own requests (REFER, INVITE with Replaces,
// INFO), on the simulation harness. tests/integration/test_transfers.py runs the same flows
// against baresip and sipp through pbxd.
#include <doctest/doctest.h>

#include "tests/unit/call/fixture.h"

using namespace std::chrono_literals;
using namespace pbx::test;
using pbx::testing::SimCall;
using pbx::testing::SimPhone;

namespace {

// Alice (100), Bob (101) and Dave (103), all registered.
struct ThreePhones : TwoPhones {
  SimPhone& dave = pbx.addPhone("103", "pw103");
  ThreePhones() { REQUIRE(dave.registerAccount() == 200); }
};

// Media flows both ways between two phones' calls through the PBX.
void CheckTalking(SimCall& a, SimCall& b) {
  uint64_t toA = a.rtpReceived(), toB = b.rtpReceived();
  CHECK(a.sendRtp(10));
  CHECK(b.sendRtp(7));
  CHECK(b.rtpReceived() == toB + 10);
  CHECK(a.rtpReceived() == toA + 7);
}

}  // namespace

TEST_CASE("a blind transfer by REFER: 202, NOTIFYs of 100 and 200, the target takes over") {
  ThreePhones t;
  auto [alice, bob] = t.answeredCall();
  alice->refer("103");
  t.pbx.runPending();
  CHECK(alice->referStatus() == 202);
  CHECK(alice->notifies() == std::vector<int>{100});
  SimCall* dave = t.dave.incoming();
  REQUIRE(dave != nullptr);
  CHECK(dave->number() == "101");  // the target sees who it is to talk to
  dave->answer();
  t.pbx.runPending();
  CHECK(alice->notifies() == std::vector<int>{100, 200});
  CHECK(alice->state() == State::kEnded);
  CHECK(bob->state() == State::kAnswered);
  CheckTalking(*bob, *dave);
  CHECK(t.pbx.activeCalls() == 1);
}

TEST_CASE("a blind transfer to an extension with nothing registered gives the call back") {
  TwoPhones t;
  auto [alice, bob] = t.answeredCall();
  alice->refer("103");
  t.pbx.runPending();
  CHECK(alice->referStatus() == 202);
  CHECK(alice->notifies() == std::vector<int>{100, 480});
  CHECK(alice->state() == State::kAnswered);
  CHECK(bob->state() == State::kAnswered);
  CheckTalking(*alice, *bob);
}

TEST_CASE("a second REFER after a failed one is a transfer of its own") {
  TwoPhones t;
  auto [alice, bob] = t.answeredCall();
  alice->refer("103");
  t.pbx.runPending();
  CHECK(alice->notifies() == std::vector<int>{100, 480});
  SimPhone& dave = t.pbx.addPhone("103", "pw103");
  REQUIRE(dave.registerAccount() == 200);
  alice->refer("103");
  t.pbx.runPending();
  CHECK(alice->referStatus() == 202);
  REQUIRE(dave.incoming() != nullptr);
  dave.incoming()->answer();
  t.pbx.runPending();
  CHECK(alice->notifies() == std::vector<int>{100, 480, 100, 200});
  CHECK(alice->state() == State::kEnded);
  CHECK(bob->state() == State::kAnswered);
}

TEST_CASE("an attended transfer by REFER with Replaces joins the transferor's two parties") {
  ThreePhones t;
  auto [first, bob] = t.answeredCall();
  auto& second = t.alice.call("103");
  t.pbx.runPending();
  SimCall* dave = t.dave.incoming();
  REQUIRE(dave != nullptr);
  dave->answer();
  t.pbx.runPending();
  REQUIRE(second.state() == State::kAnswered);
  CHECK(t.pbx.activeCalls() == 2);

  first->refer("103", &second);
  t.pbx.runPending();
  CHECK(first->referStatus() == 202);
  CHECK(first->notifies() == std::vector<int>{100, 200});
  CHECK(dave->reinvitesReceived() == 1);  // moved onto the first call's relay
  CHECK(first->state() == State::kEnded);
  CHECK(second.state() == State::kEnded);
  CHECK(bob->state() == State::kAnswered);
  CHECK(dave->state() == State::kAnswered);
  CheckTalking(*bob, *dave);
  CHECK(t.pbx.activeCalls() == 1);
}

TEST_CASE("a REFER with Replaces naming no dialog of the PBX gets 481") {
  ThreePhones t;
  auto [first, bob] = t.answeredCall();
  auto& other = t.dave.call("100");  // rings Alice's phone a second time
  t.pbx.runPending();
  // The Replaces is taken from the dialog while it still exists; the call is gone by the time
  // the REFER arrives.
  other.hangup();
  first->refer("103", &other);
  t.pbx.runPending();
  CHECK(first->referStatus() == 481);
  CHECK(first->notifies().empty());
  CHECK(first->state() == State::kAnswered);
  CHECK(bob->state() == State::kAnswered);
}

TEST_CASE("parking by REFER to 888, and picking the call up from its slot") {
  ThreePhones t;
  auto [alice, bob] = t.answeredCall();
  bob->refer("888");
  t.pbx.runPending();
  CHECK(bob->referStatus() == 202);
  CHECK(bob->notifies() == std::vector<int>{200});
  CHECK(bob->state() == State::kEnded);
  CHECK(alice->state() == State::kAnswered);

  auto& pickup = t.dave.call("890");
  t.pbx.runPending();
  CHECK(pickup.state() == State::kAnswered);
  CHECK(alice->reinvitesReceived() == 1);  // given Dave's media
  CheckTalking(*alice, pickup);
  CHECK(t.pbx.activeCalls() == 1);
}

TEST_CASE("an INVITE with Replaces naming a ringing leg picks the call up") {
  ThreePhones t;
  auto [alice, bob] = t.ringingCall();
  auto& picker = t.dave.callReplacing(*bob, "101");
  t.pbx.runPending();
  CHECK(picker.state() == State::kAnswered);
  CHECK(alice->state() == State::kAnswered);
  CHECK(bob->state() == State::kEnded);  // CANCELled
  CheckTalking(*alice, picker);
  CHECK(t.pbx.activeCalls() == 1);
}

TEST_CASE("an INVITE with Replaces naming an answered leg takes that party's place") {
  ThreePhones t;
  auto [alice, bob] = t.answeredCall();
  auto& takeover = t.dave.callReplacing(*bob, "101");
  t.pbx.runPending();
  CHECK(takeover.state() == State::kAnswered);
  CHECK(alice->reinvitesReceived() == 1);  // given Dave's media
  CHECK(bob->state() == State::kEnded);
  CHECK(bob->endReason() == "remote-bye");
  CheckTalking(*alice, takeover);
  CHECK(t.pbx.activeCalls() == 1);
}

TEST_CASE("an INVITE with Replaces and early-only does not take an answered leg") {
  ThreePhones t;
  auto [alice, bob] = t.answeredCall();
  auto& takeover = t.dave.callReplacing(*bob, "101", /*earlyOnly=*/true);
  t.pbx.runPending();
  CHECK(takeover.state() == State::kFailed);
  CHECK(takeover.finalStatus() == 486);
  CHECK(bob->state() == State::kAnswered);
}

TEST_CASE("an INVITE with Replaces naming no dialog gets 481") {
  ThreePhones t;
  auto [alice, bob] = t.ringingCall();
  auto& gone = t.dave.call("100");
  t.pbx.runPending();
  gone.hangup();  // gone by the time the INVITE naming it arrives
  auto& picker = t.dave.callReplacing(gone, "101");
  t.pbx.runPending();
  CHECK(picker.state() == State::kFailed);
  CHECK(picker.finalStatus() == 481);
  CHECK(bob->state() == State::kRinging);
  CHECK(t.pbx.activeCalls() == 1);
}

TEST_CASE("DTMF as INFO is answered 200 and passed on; other INFO gets 415") {
  TwoPhones t;
  auto [alice, bob] = t.answeredCall();
  alice->sendInfo("application/dtmf-relay", "Signal=5\r\nDuration=160\r\n");
  t.pbx.runPending();
  CHECK(alice->infoStatus() == 200);
  REQUIRE(bob->infos().size() == 1);
  CHECK(bob->infos()[0] == "application/dtmf-relay\nSignal=5\r\nDuration=160\r\n");
  alice->sendInfo("application/x-unknown", "nothing");
  t.pbx.runPending();
  CHECK(alice->infoStatus() == 415);
  CHECK(bob->infos().size() == 1);
}
