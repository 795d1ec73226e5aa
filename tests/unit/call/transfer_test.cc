// Transfers on the simulation harness: REFER from phones (blind and attended), INVITE with
// Replaces, and the same operations through the call API.
#include <doctest/doctest.h>

#include "pbx/call/call_control.h"
#include "pbx/testing/simulated_signaling_stack.h"
#include "tests/unit/call/fixture.h"

using namespace std::chrono_literals;
using namespace pbx::test;
using pbx::call::CallEventType;
using pbx::call::Cause;

TEST_CASE("blind transfer by REFER: the target rings, answers and talks to the transferee") {
  ThreePhones t;
  auto [alice, bob] = t.answeredCall();  // Alice (100) called Bob (101)
  // Bob transfers Alice to Dave.
  bob->refer("103");
  t.pbx.runPending();
  CHECK(bob->referStatus() == 202);
  auto* atDave = t.dave.incoming();
  REQUIRE(atDave != nullptr);
  CHECK(atDave->number() == "100");  // Dave sees who he will talk to
  CHECK(bob->notifies() == std::vector<int>{100});
  atDave->answer();
  t.pbx.runPending();
  CHECK(bob->notifies() == std::vector<int>{100, 200});
  CHECK(bob->state() == State::kEnded);  // Bob hung up after the NOTIFY
  CHECK(alice->state() == State::kAnswered);
  CHECK(t.pbx.activeCalls() == 1);
  CheckTalking(*alice, *atDave);
  const pbx::call::CallEvent* transferred = t.last(CallEventType::kTransferred);
  REQUIRE(transferred != nullptr);
  CHECK(transferred->party.number == "103");
  CHECK(transferred->detail == "103");
  CHECK(std::string(pbx::call::EventName(transferred->type)) == "pbx.call.transfer-succeeded");
}

TEST_CASE("blind transfer by REFER from the caller's side keeps the callee") {
  ThreePhones t;
  auto [alice, bob] = t.answeredCall();
  alice->refer("103");
  t.pbx.runPending();
  REQUIRE(t.dave.incoming() != nullptr);
  CHECK(t.dave.incoming()->number() == "101");
  t.dave.incoming()->answer();
  t.pbx.runPending();
  CHECK(alice->state() == State::kEnded);
  CheckTalking(*bob, *t.dave.calls().back());
}

TEST_CASE("a blind transfer nobody answers goes back to the transferor") {
  ThreePhones t;
  t.dave.options().rejectIncomingWith = 486;
  auto [alice, bob] = t.answeredCall();
  bob->refer("103");
  t.pbx.runPending();
  CHECK(bob->notifies() == std::vector<int>{100, 486});
  CHECK(bob->state() == State::kAnswered);  // the call is as it was
  CHECK(alice->state() == State::kAnswered);
  CheckTalking(*alice, *bob);
  CHECK(!t.saw(CallEventType::kTransferred));
  // Transferring to a number that does not exist fails the same way.
  bob->refer("999");
  t.pbx.runPending();
  CHECK(bob->notifies().back() == 404);
  CheckTalking(*alice, *bob);
}

TEST_CASE("a transferor that hangs up at once leaves the transferee ringing the target") {
  ThreePhones t;
  auto [alice, bob] = t.answeredCall();
  bob->refer("103");
  t.pbx.runPending();
  bob->hangup();
  t.pbx.runPending();
  CHECK(alice->state() == State::kAnswered);
  REQUIRE(t.dave.incoming() != nullptr);
  t.dave.incoming()->answer();
  t.pbx.runPending();
  CheckTalking(*alice, *t.dave.calls().back());
  // ...and if the target never answers, the transferee's call ends with NOANSWER.
  ThreePhones u;
  auto [a2, b2] = u.answeredCall();
  b2->refer("103");
  u.pbx.runPending();
  b2->hangup();
  u.pbx.advance(31s);
  CHECK(a2->state() == State::kEnded);
  CHECK(u.last(CallEventType::kCallEnded)->end->cause == Cause::kNoAnswer);
}

TEST_CASE("attended transfer by REFER with Replaces joins the two other parties") {
  ThreePhones t;
  // Bob calls Alice; Bob then calls Dave to consult; Bob transfers Alice to Dave.
  auto& first = t.connect(t.bob, "100", t.alice);
  auto* alice = t.alice.calls().back().get();
  auto& second = t.connect(t.bob, "103", t.dave);
  auto* dave = t.dave.calls().back().get();
  first.refer("103", &second);
  t.pbx.runPending();
  CHECK(first.referStatus() == 202);
  CHECK(first.notifies() == std::vector<int>{100, 200});
  CHECK(first.state() == State::kEnded);
  CHECK(second.state() == State::kEnded);
  CHECK(dave->reinvitesReceived() == 1);  // moved to the first call's relay
  CHECK(alice->state() == State::kAnswered);
  CHECK(dave->state() == State::kAnswered);
  CheckTalking(*alice, *dave);
  CHECK(t.pbx.activeCalls() == 1);
  CHECK(t.last(CallEventType::kTransferred)->party.number == "103");
  CHECK(t.last(CallEventType::kCallEnded)->end->cause == Cause::kAttendedTransfer);
}

TEST_CASE("an abandoned attended transfer leaves the first call as it was") {
  ThreePhones t;
  auto& first = t.connect(t.bob, "100", t.alice);
  auto* alice = t.alice.calls().back().get();
  first.reinvite("sendonly");  // Bob holds Alice while he consults
  t.pbx.runPending();
  auto& second = t.connect(t.bob, "103", t.dave);
  second.hangup();  // Dave says no: Bob hangs up the consultation
  t.pbx.runPending();
  first.reinvite("sendrecv");
  t.pbx.runPending();
  CHECK(first.state() == State::kAnswered);
  CheckTalking(first, *alice);
  CHECK(t.pbx.activeCalls() == 1);
  CHECK(!t.saw(CallEventType::kTransferred));
}

TEST_CASE("an attended transfer whose target refuses the re-INVITE fails and changes nothing") {
  ThreePhones t;
  t.dave.options().rejectReinvitesWith = 488;
  auto& first = t.connect(t.bob, "100", t.alice);
  auto& second = t.connect(t.bob, "103", t.dave);
  first.refer("103", &second);
  t.pbx.runPending();
  CHECK(first.notifies() == std::vector<int>{100, 488});
  CHECK(first.state() == State::kAnswered);
  CHECK(second.state() == State::kAnswered);
  CHECK(t.pbx.activeCalls() == 2);
}

TEST_CASE("a REFER naming a dialog the PBX does not have gets 481") {
  ThreePhones t;
  auto [alice, bob] = t.answeredCall();
  auto& other = t.dave.call("100");  // unanswered, rings Alice
  t.pbx.runPending();
  auto replaces = t.pbx.stack().replacesFor(other);
  REQUIRE(replaces.has_value());
  other.hangup();
  t.pbx.runPending();
  t.pbx.runPending();
  bob->refer("103", replaces);  // that dialog has gone
  t.pbx.runPending();
  CHECK(bob->referStatus() == 481);
  CHECK(bob->state() == State::kAnswered);
}

TEST_CASE("INVITE with Replaces of an answered leg takes its place") {
  ThreePhones t;
  auto [alice, bob] = t.answeredCall();
  // Dave's phone takes over Bob's side of the call (e.g. a transfer a phone completed itself).
  auto& taking = t.dave.callReplacing(*bob);
  t.pbx.runPending();
  CHECK(taking.finalStatus() == 200);
  CHECK(taking.state() == State::kAnswered);
  CHECK(bob->state() == State::kEnded);
  CHECK(alice->reinvitesReceived() == 1);  // Alice now gets Dave's offer
  CheckTalking(*alice, taking);
  CHECK(t.pbx.activeCalls() == 1);
}

TEST_CASE("INVITE with Replaces of a ringing leg picks the call up") {
  ThreePhones t;
  auto [alice, bob] = t.ringingCall();
  auto& taking = t.dave.callReplacing(*bob);
  t.pbx.runPending();
  CHECK(taking.state() == State::kAnswered);
  CHECK(alice->state() == State::kAnswered);
  CHECK(bob->state() == State::kEnded);
  CHECK(bob->endReason() == "cancelled");
  CheckTalking(*alice, taking);
  CHECK(t.last(CallEventType::kPickedUp)->party.number == "103");
  CHECK(t.last(CallEventType::kMissed)->end->cause == Cause::kPickedUp);
}

TEST_CASE("INVITE with Replaces naming no dialog gets 481") {
  ThreePhones t;
  auto [alice, bob] = t.answeredCall();
  auto replaces = t.pbx.stack().replacesFor(*bob);
  REQUIRE(replaces.has_value());
  alice->hangup();
  t.pbx.runPending();
  t.pbx.runPending();
  auto& taking = t.dave.callReplacing(replaces);
  t.pbx.runPending();
  CHECK(taking.state() == State::kFailed);
  CHECK(taking.finalStatus() == 481);
}

TEST_CASE("blind transfer through the call API") {
  ThreePhones t;
  auto [alice, bob] = t.answeredCall();
  auto calls = t.calls();
  REQUIRE(calls.size() == 1);
  std::optional<absl::Status> done;
  t.pbx.calls().blindTransfer(calls[0].id, "103", {}, [&](absl::Status s) { done = s; });
  t.pbx.runPending();
  REQUIRE(done.has_value());
  CHECK(done->ok());
  REQUIRE(t.dave.incoming() != nullptr);
  CHECK(t.dave.incoming()->number() == "100");  // the caller stays
  t.dave.incoming()->answer();
  t.pbx.runPending();
  CHECK(bob->state() == State::kEnded);
  CheckTalking(*alice, *t.dave.calls().back());

  std::optional<absl::Status> nowhere;
  t.pbx.calls().blindTransfer(calls[0].id, "999", {}, [&](absl::Status s) { nowhere = s; });
  t.pbx.runPending();
  CHECK(nowhere->code() == absl::StatusCode::kNotFound);
}

TEST_CASE("attended transfer through the call API") {
  ThreePhones t;
  auto& first = t.connect(t.bob, "100", t.alice);
  auto& second = t.connect(t.bob, "103", t.dave);
  auto calls = t.calls();
  REQUIRE(calls.size() == 2);
  std::optional<absl::Status> done;
  t.pbx.calls().attendedTransfer(calls[0].id, calls[1].id, [&](absl::Status s) { done = s; });
  t.pbx.runPending();
  REQUIRE(done.has_value());
  CHECK(done->ok());
  CHECK(first.state() == State::kEnded);
  CHECK(second.state() == State::kEnded);
  CheckTalking(*t.alice.calls().back(), *t.dave.calls().back());

  std::optional<absl::Status> unrelated;
  t.pbx.calls().attendedTransfer(calls[0].id, calls[0].id, [&](absl::Status s) { unrelated = s; });
  t.pbx.runPending();
  CHECK(unrelated->code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("a blind transfer to an extension with nothing registered gives the call back") {
  TwoPhones t;
  auto [alice, bob] = t.answeredCall();
  alice->refer("103");
  t.pbx.runPending();
  CHECK(alice->referStatus() == 202);
  CHECK(alice->notifies() == std::vector<int>{100, 480});
  CHECK(alice->state() == State::kAnswered);
  CheckTalking(*alice, *bob);
}

TEST_CASE("a second REFER after a failed one is a transfer of its own") {
  TwoPhones t;
  auto [alice, bob] = t.answeredCall();
  alice->refer("103");
  t.pbx.runPending();
  CHECK(alice->notifies() == std::vector<int>{100, 480});
  auto& dave = t.pbx.addPhone("103", "pw103");
  REQUIRE(dave.registerAccount() == 200);
  alice->refer("103");
  t.pbx.runPending();
  CHECK(alice->referStatus() == 202);
  REQUIRE(dave.incoming() != nullptr);
  dave.incoming()->answer();
  t.pbx.runPending();
  CHECK(alice->notifies() == std::vector<int>{100, 480, 100, 200});
  CHECK(alice->state() == State::kEnded);
  CheckTalking(*bob, *dave.calls().back());
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

TEST_CASE("a transferor that stays after the final NOTIFY is hung up 5 s later") {
  ThreePhones t;
  t.bob.options().hangupAfterTransfer = false;
  auto [alice, bob] = t.answeredCall();
  bob->refer("103");
  t.pbx.runPending();
  t.dave.incoming()->answer();
  t.pbx.runPending();
  CHECK(bob->notifies() == std::vector<int>{100, 200});
  CHECK(bob->state() == State::kAnswered);  // its own BYE would come first
  t.pbx.advance(4s);
  CHECK(bob->state() == State::kAnswered);
  t.pbx.advance(1s);
  CHECK(bob->state() == State::kEnded);
  CHECK(bob->endReason() == "remote-bye");
  CheckTalking(*alice, *t.dave.calls().back());
}
