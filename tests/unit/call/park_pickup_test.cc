// Park, pickup, hold and DTMF on the simulation harness, on simulated time.
#include <doctest/doctest.h>

#include "pbx/call/call_control.h"
#include "tests/unit/call/fixture.h"

using namespace std::chrono_literals;
using namespace pbx::test;
using pbx::call::CallEventType;
using pbx::call::Cause;

TEST_CASE("a call transferred to 888 is parked in 890, and dialling 890 picks it up") {
  ThreePhones t;
  auto [alice, bob] = t.answeredCall();
  bob->refer("888");
  t.pbx.runPending();
  CHECK(bob->notifies() == std::vector<int>{200});
  CHECK(bob->state() == State::kEnded);
  CHECK(alice->state() == State::kAnswered);
  const pbx::call::CallEvent* parked = t.last(CallEventType::kParked);
  REQUIRE(parked != nullptr);
  CHECK(parked->detail == "890");
  CHECK(parked->party.number == "100");
  CHECK(std::string(pbx::call::EventName(parked->type)) == "pbx.call.parked");

  auto& picker = t.dave.call("890");
  t.pbx.runPending();
  CHECK(picker.state() == State::kAnswered);
  CHECK(alice->reinvitesReceived() == 1);  // Alice was offered Dave's media
  CheckTalking(*alice, picker);
  CHECK(t.last(CallEventType::kPickedUp)->party.number == "103");
  CHECK(t.pbx.activeCalls() == 1);
  // The slot is free again: nothing is parked in 890 now.
  auto& empty = t.bob.call("890");
  t.pbx.runPending();
  CHECK(empty.finalStatus() == 404);
}

TEST_CASE("parking fills the slots in order; a parked call nobody takes rings the parker") {
  auto options = DemoOptions();
  options.routing.parkTimeout = 90s;
  options.media.rtpTimeout = 0s;  // the simulated phones send no RTP while parked
  ThreePhones t(options);
  auto [alice, bob] = t.answeredCall();
  bob->refer("888");
  t.pbx.runPending();
  // A second parked call takes 891.
  auto& second = t.dave.call("101");
  t.pbx.runPending();
  t.bob.incoming()->answer();
  t.pbx.runPending();
  t.bob.calls().back()->refer("888");
  t.pbx.runPending();
  CHECK(t.last(CallEventType::kParked)->detail == "891");

  t.pbx.advance(89s);
  CHECK(t.bob.incoming() == nullptr);
  t.pbx.advance(1s);
  // Both parked calls come back to Bob, who parked them.
  REQUIRE(t.bob.incoming() != nullptr);
  t.bob.incoming()->answer();
  t.pbx.runPending();
  CHECK(t.last(CallEventType::kPickedUp)->party.number == "101");
  CheckTalking(*t.bob.calls().back(), second);
}

TEST_CASE("park timeout: a ring-back nobody answers ends the parked call") {
  auto options = DemoOptions();
  options.routing.parkTimeout = 30s;
  options.sip.noAnswerTimeout = 20s;
  ThreePhones t(options);
  auto [alice, bob] = t.answeredCall();
  bob->refer("888");
  t.pbx.runPending();
  t.pbx.advance(30s);
  REQUIRE(t.bob.incoming() != nullptr);
  t.pbx.advance(20s);
  CHECK(alice->state() == State::kEnded);
  CHECK(t.last(CallEventType::kCallEnded)->end->cause == Cause::kNoAnswer);
  CHECK(t.pbx.activeCalls() == 0);
}

TEST_CASE("dialling 888 parks the caller; an attended transfer to it parks the other party") {
  ThreePhones t;
  auto [alice, bob] = t.answeredCall();
  auto& toPark = t.bob.call("888");  // Bob's consultation call to the park extension
  t.pbx.runPending();
  CHECK(toPark.state() == State::kAnswered);
  CHECK(t.last(CallEventType::kParked)->detail == "890");
  bob->refer("888", &toPark);  // Alice replaces Bob in the parked call
  t.pbx.runPending();
  CHECK(bob->state() == State::kEnded);
  CHECK(toPark.state() == State::kEnded);
  auto& picker = t.dave.call("890");
  t.pbx.runPending();
  CHECK(picker.state() == State::kAnswered);
  CheckTalking(*alice, picker);
}

TEST_CASE("park and unpark through the call API") {
  ThreePhones t;
  auto [alice, bob] = t.answeredCall();
  auto calls = t.calls();
  std::optional<absl::StatusOr<std::string>> slot;
  t.pbx.calls().park(calls[0].id, {}, [&](absl::StatusOr<std::string> s) { slot = s; });
  t.pbx.runPending();
  REQUIRE(slot.has_value());
  REQUIRE(slot->ok());
  CHECK(**slot == "890");
  CHECK(bob->state() == State::kEnded);
  std::optional<absl::StatusOr<pbx::CallId>> unparked;
  t.pbx.calls().unpark("890", "103", [&](absl::StatusOr<pbx::CallId> id) { unparked = id; });
  t.pbx.runPending();
  REQUIRE(unparked->ok());
  CHECK(**unparked == calls[0].id);
  REQUIRE(t.dave.incoming() != nullptr);
  t.dave.incoming()->answer();
  t.pbx.runPending();
  CheckTalking(*alice, *t.dave.calls().back());
  std::optional<absl::StatusOr<pbx::CallId>> none;
  t.pbx.calls().unpark("895", "103", [&](absl::StatusOr<pbx::CallId> id) { none = id; });
  t.pbx.runPending();
  CHECK(none->status().code() == absl::StatusCode::kNotFound);
}

TEST_CASE("directed pickup: **101 answers the call ringing at 101") {
  ThreePhones t;
  auto [alice, bob] = t.ringingCall();
  auto& picker = t.dave.call("**101");
  t.pbx.runPending();
  CHECK(picker.state() == State::kAnswered);
  CHECK(alice->state() == State::kAnswered);
  CHECK(bob->state() == State::kEnded);
  CheckTalking(*alice, picker);
  CHECK(t.last(CallEventType::kPickedUp)->party.number == "103");
  CHECK(t.last(CallEventType::kMissed)->end->cause == Cause::kPickedUp);
  // Nothing rings at 101 any more.
  auto& nothing = t.dave.call("**101");
  t.pbx.runPending();
  CHECK(nothing.finalStatus() == 480);
}

TEST_CASE("group pickup: *9 takes the newest call ringing in the picker's groups") {
  auto options = DemoOptions();
  for (auto& e : options.directory.extensions)
    e.pickupGroups =
        e.number == "102" ? std::vector<std::string>{"lab"} : std::vector<std::string>{"sales"};
  ThreePhones t(options);
  auto& desk = t.pbx.addPhone("102a", "pw102a");
  REQUIRE(desk.registerAccount() == 200);
  auto& toLab = t.alice.call("102");  // rings in "lab": not Dave's group
  t.pbx.runPending();
  auto& nothing = t.dave.call("*9");
  t.pbx.runPending();
  CHECK(nothing.finalStatus() == 480);
  auto& toBob = t.alice.call("101");  // rings in "sales"
  t.pbx.runPending();
  auto& picker = t.dave.call("*9");
  t.pbx.runPending();
  CHECK(picker.state() == State::kAnswered);
  CHECK(toBob.state() == State::kAnswered);
  CHECK(toLab.state() == State::kRinging);
}

TEST_CASE("pickup with invite through the call API rings the picker alongside") {
  ThreePhones t;
  auto [alice, bob] = t.ringingCall();
  std::optional<absl::StatusOr<pbx::CallId>> picked;
  t.pbx.calls().pickup("101", "103", [&](absl::StatusOr<pbx::CallId> id) { picked = id; });
  t.pbx.runPending();
  REQUIRE(picked->ok());
  REQUIRE(t.dave.incoming() != nullptr);
  CHECK(bob->state() == State::kRinging);  // 101 keeps ringing until the pickup completes
  t.dave.incoming()->answer();
  t.pbx.runPending();
  CHECK(bob->state() == State::kEnded);
  CheckTalking(*alice, *t.dave.calls().back());
}

TEST_CASE("hold and unhold through the call API re-INVITE the leg and stop its media") {
  ThreePhones t;
  auto [alice, bob] = t.answeredCall();
  auto calls = t.calls();
  REQUIRE(calls[0].legs.size() == 2);
  pbx::LegId bobLeg = LegOf(calls[0], "101");
  std::optional<absl::Status> held;
  t.pbx.calls().hold(calls[0].id, bobLeg, [&](absl::Status s) { held = s; });
  t.pbx.runPending();
  REQUIRE(held.has_value());
  CHECK(held->ok());
  CHECK(bob->reinvitesReceived() == 1);
  CHECK(bob->remoteSdp().find("a=sendonly") != std::string::npos);
  // Bob neither hears nor is heard.
  CHECK(alice->sendRtp(5));
  CHECK(bob->sendRtp(5));
  CHECK(bob->rtpReceived() == 0);
  CHECK(alice->rtpReceived() == 0);
  CHECK(t.last(CallEventType::kHeld)->party.number == "101");
  auto info = t.calls();
  for (const auto& leg : info[0].legs)
    if (leg.id == bobLeg) CHECK(leg.held);

  std::optional<absl::Status> resumed;
  t.pbx.calls().unhold(calls[0].id, {}, [&](absl::Status s) { resumed = s; });
  t.pbx.runPending();
  CHECK(resumed->ok());
  CHECK(bob->remoteSdp().find("a=sendrecv") != std::string::npos);
  CheckTalking(*alice, *bob);
  CHECK(t.last(CallEventType::kResumed)->party.number == "101");
}

TEST_CASE("a hold the phone refuses completes with an error and changes nothing") {
  ThreePhones t;
  t.bob.options().rejectReinvitesWith = 488;
  auto [alice, bob] = t.answeredCall();
  auto calls = t.calls();
  pbx::LegId bobLeg = LegOf(calls[0], "101");
  std::optional<absl::Status> held;
  t.pbx.calls().hold(calls[0].id, bobLeg, [&](absl::Status s) { held = s; });
  t.pbx.runPending();
  CHECK(held->code() == absl::StatusCode::kUnavailable);
  CheckTalking(*alice, *bob);
}

TEST_CASE("DTMF: INFO from a phone is an event and reaches the other party; sendDtmf sends INFO") {
  ThreePhones t;
  // Bob's phone has no telephone-event, so the digit reaches it as it came: an INFO. (One
  // that has it gets RFC 4733 events: media_call_test.cc.)
  t.bob.options().telephoneEvent = false;
  auto [alice, bob] = t.answeredCall();
  alice->sendInfo("application/dtmf-relay", "Signal=5\r\nDuration=160\r\n");
  t.pbx.runPending();
  CHECK(alice->infoStatus() == 200);
  REQUIRE(bob->infos().size() == 1);
  CHECK(bob->infos()[0].find("Signal=5") != std::string::npos);
  const pbx::call::CallEvent* digit = t.last(CallEventType::kDtmf);
  REQUIRE(digit != nullptr);
  CHECK(digit->detail == "5");
  CHECK(digit->party.number == "100");

  alice->sendInfo("application/vnd.unknown", "x");
  t.pbx.runPending();
  CHECK(alice->infoStatus() == 415);
  alice->sendInfo("application/dtmf-relay", "Signal=hello");
  t.pbx.runPending();
  CHECK(alice->infoStatus() == 400);

  auto calls = t.calls();
  pbx::LegId aliceLeg = LegOf(calls[0], "100");
  std::optional<absl::Status> sent, bad, noLeg;
  t.pbx.calls().sendDtmf(calls[0].id, aliceLeg, "12#", [&](absl::Status s) { sent = s; });
  t.pbx.calls().sendDtmf(calls[0].id, aliceLeg, "1x", [&](absl::Status s) { bad = s; });
  t.pbx.calls().sendDtmf(calls[0].id, {}, "1", [&](absl::Status s) { noLeg = s; });
  t.pbx.runPending();
  CHECK(sent->ok());
  CHECK(bad->code() == absl::StatusCode::kInvalidArgument);
  CHECK(noLeg->code() == absl::StatusCode::kInvalidArgument);
  REQUIRE(alice->infos().size() == 3);
  CHECK(alice->infos()[2].find("Signal=#") != std::string::npos);
}
