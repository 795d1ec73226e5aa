// The call API on the simulation harness: events, the dialplan hook, click-to-call and the
// operations, on simulated time.
#include <doctest/doctest.h>

#include "pbx/call/call_control.h"
#include "tests/unit/call/fixture.h"

using namespace std::chrono_literals;
using namespace pbx::test;
using pbx::call::CallEvent;
using pbx::call::CallEventType;
using pbx::call::Cause;
using pbx::routing::Decision;

namespace {

// A dialplan the test drives: it keeps each call's decision callback.
struct HeldDialplan : pbx::routing::Dialplan {
  void route(const pbx::routing::IncomingCall& call,
             pbx::routing::DecisionCallback decide) override {
    calls.push_back(call);
    decisions.push_back(std::move(decide));
  }
  std::vector<pbx::routing::IncomingCall> calls;
  std::vector<pbx::routing::DecisionCallback> decisions;
};

// A dialplan from a function, deciding at once.
struct FunctionDialplan : pbx::routing::Dialplan {
  explicit FunctionDialplan(std::function<Decision(const pbx::routing::IncomingCall&)> f)
      : f(std::move(f)) {}
  void route(const pbx::routing::IncomingCall& call,
             pbx::routing::DecisionCallback decide) override {
    decide(f(call));
  }
  std::function<Decision(const pbx::routing::IncomingCall&)> f;
};

pbx::call::Completion Into(std::optional<absl::Status>& out) {
  return [&out](absl::Status s) { out = s; };
}

}  // namespace

TEST_CASE("a call's events arrive in order, numbered, with the seed's names") {
  TwoPhones t;
  EventRecorder rec(t.pbx.calls());
  auto [out, in] = t.answeredCall();
  out->hangup();
  t.pbx.runPending();

  CHECK(rec.types() == std::vector<CallEventType>{CallEventType::kCallStarted,
                                                  CallEventType::kRinging, CallEventType::kAnswered,
                                                  CallEventType::kBridged,
                                                  CallEventType::kCallEnded});
  for (size_t i = 1; i < rec.events.size(); ++i)
    CHECK(rec.events[i].sequence == rec.events[i - 1].sequence + 1);
  for (const auto& e : rec.events) {
    CHECK(e.call == rec.events.front().call);
    CHECK(e.caller.number == "100");
    CHECK(e.caller.displayName == "Alice");
  }
  CHECK(rec.events[1].party.number == "101");
  CHECK(rec.events[2].party.account == "101");
  REQUIRE(rec.events.back().end.has_value());
  CHECK(rec.events.back().end->cause == Cause::kNormalClearing);
  CHECK(std::string(pbx::call::EventName(rec.events.front().type)) == "pbx.call.start");
  CHECK(std::string(pbx::call::EventName(rec.events[1].type)) == "pbx.extension.incomingcall");
  CHECK(std::string(pbx::call::EventName(rec.events[2].type)) == "pbx.extension.answercall");
  CHECK(std::string(pbx::call::EventName(rec.events.back().type)) == "pbx.call.end");
  CHECK(pbx::call::EventTypeFromName("pbx.call.end") == CallEventType::kCallEnded);
  CHECK(!pbx::call::EventTypeFromName("pbx.call.nothing").has_value());
}

TEST_CASE("a listener resumes from a sequence number and misses nothing") {
  TwoPhones t;
  std::vector<uint64_t> first;
  {
    EventRecorder rec(t.pbx.calls());
    auto [out, in] = t.answeredCall();
    for (const auto& e : rec.events) first.push_back(e.sequence);
    out->hangup();  // the listener is gone before these events happen
  }
  t.pbx.runPending();
  REQUIRE(!first.empty());
  std::vector<CallEvent> resumed;
  auto sub = t.pbx.calls().events().subscribe({}, first.back(),
                                              [&](const CallEvent& e) { resumed.push_back(e); });
  REQUIRE(sub.ok());
  t.pbx.runPending();
  REQUIRE(resumed.size() == 1);
  CHECK(resumed[0].sequence == first.back() + 1);
  CHECK(resumed[0].type == CallEventType::kCallEnded);
  CHECK(t.pbx.calls().events().lastSequence() == resumed[0].sequence);

  // The same through history(), filtered.
  pbx::call::EventFilter ends;
  ends.types = {CallEventType::kCallEnded};
  auto history = t.pbx.calls().events().history(ends, 0);
  REQUIRE(history.ok());
  CHECK(history->size() == 1);
}

TEST_CASE("asking for events older than the history holds is an explicit error") {
  auto options = DemoOptions();
  options.events.historySize = 3;
  TwoPhones t(options);
  auto [out, in] = t.answeredCall();
  out->hangup();
  t.pbx.runPending();
  REQUIRE(t.pbx.calls().events().lastSequence() == 5);
  auto tooOld = t.pbx.calls().events().subscribe({}, 1, [](const CallEvent&) {});
  CHECK(tooOld.status().code() == absl::StatusCode::kOutOfRange);
  CHECK(t.pbx.calls().events().subscribe({}, 2, [](const CallEvent&) {}).ok());
  CHECK(t.pbx.calls().events().subscribe({}, 9, [](const CallEvent&) {}).status().code() ==
        absl::StatusCode::kOutOfRange);
}

TEST_CASE("event filters select by type, call and number") {
  TwoPhones t;
  pbx::call::EventFilter filter;
  filter.types = {CallEventType::kCallEnded, CallEventType::kAnswered};
  filter.number = "101";
  EventRecorder rec(t.pbx.calls(), filter);
  auto [out, in] = t.answeredCall();
  in->hangup();
  t.pbx.runPending();
  CHECK(rec.types() ==
        std::vector<CallEventType>{CallEventType::kAnswered});  // the end names only 100
}

TEST_CASE("an unanswered call is a missed call of the rung extension, with its cause") {
  TwoPhones t;
  EventRecorder rec(t.pbx.calls());
  auto& out = t.alice.call("101");
  t.pbx.runPending();
  t.pbx.advance(31s);
  CHECK(out.finalStatus() == 480);
  auto types = rec.types();
  REQUIRE(types.size() >= 2);
  CHECK(types[types.size() - 2] == CallEventType::kMissed);
  CHECK(rec.events[types.size() - 2].party.number == "101");
  CHECK(rec.events[types.size() - 2].end->cause == Cause::kNoAnswer);
  CHECK(rec.events.back().end->cause == Cause::kNoAnswer);
  CHECK(rec.events.back().end->sipStatus == 480);
}

TEST_CASE("a dialplan routes by caller; its reject reaches the caller with the cause's status") {
  TwoPhones t;
  auto& carol = t.pbx.addPhone("103", "pw103");
  REQUIRE(carol.registerAccount() == 200);
  t.pbx.calls().setDialplan(std::make_shared<FunctionDialplan>([](const auto& call) {
    if (call.caller.number == "100") return Decision::Ring({{"103"}});
    return Decision::Reject(Cause::kDeclined);
  }));
  t.pbx.runPending();
  auto& fromAlice = t.alice.call("101");
  t.pbx.runPending();
  CHECK(carol.incoming() != nullptr);  // Alice's call to 101 rings 103 instead
  CHECK(t.bob.incoming() == nullptr);
  auto& fromBob = t.bob.call("100");
  t.pbx.runPending();
  CHECK(fromBob.state() == State::kFailed);
  CHECK(fromBob.finalStatus() == 603);
  CHECK(fromAlice.state() == State::kRinging);
}

TEST_CASE("sequential ringing tries each target for its timeout") {
  TwoPhones t;
  auto& carol = t.pbx.addPhone("103", "pw103");
  REQUIRE(carol.registerAccount() == 200);
  t.pbx.calls().setDialplan(std::make_shared<FunctionDialplan>([](const auto&) {
    return Decision::Ring({{"101", 10s}, {"103", 20s}}, pbx::routing::RingStrategy::kSequential);
  }));
  auto& out = t.alice.call("101");
  t.pbx.runPending();
  REQUIRE(t.bob.incoming() != nullptr);
  CHECK(carol.incoming() == nullptr);
  t.pbx.advance(10s);
  CHECK(t.bob.incoming() == nullptr);  // cancelled
  REQUIRE(carol.incoming() != nullptr);
  carol.incoming()->answer();
  t.pbx.runPending();
  CHECK(out.state() == State::kAnswered);
}

TEST_CASE("an asynchronous dialplan: the caller rings until the late decision") {
  TwoPhones t;
  auto dialplan = std::make_shared<HeldDialplan>();
  t.pbx.calls().setDialplan(dialplan);
  auto& out = t.alice.call("101");
  t.pbx.runPending();
  REQUIRE(dialplan->decisions.size() == 1);
  CHECK(dialplan->calls[0].destination == "101");
  CHECK(dialplan->calls[0].caller.account == "100");
  CHECK(out.state() == State::kRinging);  // 180 while the dialplan thinks
  CHECK(t.bob.incoming() == nullptr);
  t.pbx.advance(5s);
  auto decision = Decision::Ring({{"101"}});
  decision.callUuid = "late-1";
  dialplan->decisions[0](decision);
  dialplan->decisions[0](Decision::Reject(Cause::kBusy));  // a second decision is ignored
  t.pbx.runPending();
  REQUIRE(t.bob.incoming() != nullptr);
  EventRecorder rec(t.pbx.calls());
  t.bob.incoming()->answer();
  t.pbx.runPending();
  CHECK(out.state() == State::kAnswered);
  REQUIRE(!rec.events.empty());
  CHECK(rec.events.front().callUuid == "late-1");
}

TEST_CASE("an asynchronous dialplan that never decides costs only its call") {
  TwoPhones t;
  auto dialplan = std::make_shared<HeldDialplan>();
  t.pbx.calls().setDialplan(dialplan);
  EventRecorder rec(t.pbx.calls());
  auto& out = t.alice.call("101");
  t.pbx.runPending();
  t.pbx.advance(9s);
  CHECK(out.state() == State::kRinging);
  t.pbx.advance(1s);
  CHECK(out.state() == State::kFailed);
  CHECK(out.finalStatus() == 500);
  CHECK(rec.events.back().end->cause == Cause::kDialplanError);
  CHECK(t.pbx.activeCalls() == 0);
  // A decision after the timeout changes nothing.
  dialplan->decisions[0](Decision::Ring({{"101"}}));
  t.pbx.runPending();
  CHECK(t.bob.incoming() == nullptr);
}

TEST_CASE("a dialplan that throws ends its call with kDialplanError, not the PBX") {
  TwoPhones t;
  t.pbx.calls().setDialplan(std::make_shared<FunctionDialplan>(
      [](const auto&) -> Decision { throw std::runtime_error("bug in a dialplan"); }));
  auto& out = t.alice.call("101");
  t.pbx.runPending();
  CHECK(out.finalStatus() == 500);
  t.pbx.calls().setDialplan(nullptr);  // back to the directory
  t.pbx.runPending();
  auto [out2, in2] = t.answeredCall();
  CHECK(out2->state() == State::kAnswered);
}

TEST_CASE("replacing the dialplan leaves calls in progress with the one they started with") {
  TwoPhones t;
  auto first = std::make_shared<HeldDialplan>();
  t.pbx.calls().setDialplan(first);
  auto& out = t.alice.call("101");
  t.pbx.runPending();
  REQUIRE(first->decisions.size() == 1);
  t.pbx.calls().setDialplan(std::make_shared<FunctionDialplan>(
      [](const auto&) { return Decision::Reject(Cause::kForbidden); }));
  t.pbx.runPending();
  first->decisions[0](Decision::Ring({{"101"}}));
  t.pbx.runPending();
  REQUIRE(t.bob.incoming() != nullptr);  // the first dialplan's decision still counts
  auto& second = t.bob.call("100");
  t.pbx.runPending();
  CHECK(second.finalStatus() == 403);  // a new call meets the new dialplan
  CHECK(out.state() == State::kRinging);
}

TEST_CASE("Decision::Answer answers the caller; the program ends the call with hangup()") {
  TwoPhones t;
  t.pbx.calls().setDialplan(
      std::make_shared<FunctionDialplan>([](const auto&) { return Decision::Answer(); }));
  EventRecorder rec(t.pbx.calls());
  auto& out = t.alice.call("555");
  t.pbx.runPending();
  CHECK(out.state() == State::kAnswered);
  CHECK(out.remoteMedia().ip() == "127.0.0.1");
  auto calls = ListCalls(t.pbx);
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].state == pbx::call::CallState::kAnswered);
  CHECK(calls[0].dialled == "555");
  REQUIRE(calls[0].legs.size() == 1);
  CHECK(calls[0].legs[0].direction == pbx::call::LegDirection::kInbound);

  std::optional<absl::Status> hungUp;
  t.pbx.calls().hangup(calls[0].id, Cause::kNormalClearing, Into(hungUp));
  t.pbx.runPending();
  REQUIRE(hungUp.has_value());
  CHECK(hungUp->ok());
  CHECK(out.state() == State::kEnded);
  CHECK(out.endReason() == "remote-bye");
  std::optional<absl::Status> again;
  t.pbx.calls().hangup(calls[0].id, Cause::kNormalClearing, Into(again));
  t.pbx.runPending();
  CHECK(again->code() == absl::StatusCode::kNotFound);
}

TEST_CASE("answer() and reject() act on a call the dialplan has not decided yet") {
  TwoPhones t;
  auto dialplan = std::make_shared<HeldDialplan>();
  t.pbx.calls().setDialplan(dialplan);
  auto& first = t.alice.call("101");
  auto& second = t.bob.call("100");
  t.pbx.runPending();
  REQUIRE(dialplan->calls.size() == 2);

  std::optional<absl::Status> answered, rejected, wrongStatus;
  t.pbx.calls().reject(dialplan->calls[1].id, Cause::kBusy, 0, Into(rejected));
  t.pbx.calls().answer(dialplan->calls[0].id, Into(answered));
  t.pbx.calls().reject(dialplan->calls[0].id, Cause::kBusy, 200, Into(wrongStatus));
  t.pbx.runPending();
  CHECK(answered->ok());
  CHECK(rejected->ok());
  CHECK(wrongStatus->code() == absl::StatusCode::kInvalidArgument);
  CHECK(first.state() == State::kAnswered);
  CHECK(second.finalStatus() == 486);

  std::optional<absl::Status> twice;
  t.pbx.calls().answer(dialplan->calls[0].id, Into(twice));
  t.pbx.runPending();
  CHECK(twice->code() == absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("click-to-call rings the source first, then connects it to the destination") {
  TwoPhones t;
  EventRecorder rec(t.pbx.calls());
  pbx::call::OriginateRequest request;
  request.source = "100";
  request.destination = "101";
  request.callUuid = "crm-4711";
  std::optional<absl::StatusOr<pbx::CallId>> started;
  t.pbx.calls().originate(request, [&](absl::StatusOr<pbx::CallId> id) { started = id; });
  t.pbx.runPending();
  REQUIRE(started.has_value());
  REQUIRE(started->ok());
  auto* atSource = t.alice.incoming();
  REQUIRE(atSource != nullptr);
  CHECK(atSource->number() == "101");
  CHECK(atSource->displayName() == "c2c: 101");
  CHECK(t.bob.incoming() == nullptr);  // not before the source answers

  atSource->answer();
  t.pbx.runPending();
  auto* atDestination = t.bob.incoming();
  REQUIRE(atDestination != nullptr);
  CHECK(atDestination->number() == "100");
  atDestination->answer();
  t.pbx.runPending();
  CHECK(atSource->state() == State::kAnswered);
  CHECK(atDestination->state() == State::kAnswered);

  // Media flows both ways through the relay.
  CHECK(atSource->sendRtp(30));
  CHECK(atDestination->sendRtp(20));
  CHECK(atDestination->rtpReceived() == 30);
  CHECK(atSource->rtpReceived() == 20);
  // The destination was offered what the source accepted.
  CHECK(atDestination->remoteSdp().find("m=audio") != std::string::npos);

  for (const auto& e : rec.events) {
    CHECK(e.call == **started);
    CHECK(e.callUuid == "crm-4711");
  }
  CHECK(rec.types() == std::vector<CallEventType>{CallEventType::kCallStarted,
                                                  CallEventType::kRinging, CallEventType::kAnswered,
                                                  CallEventType::kRinging, CallEventType::kAnswered,
                                                  CallEventType::kBridged});
  atDestination->hangup();
  t.pbx.runPending();
  CHECK(atSource->state() == State::kEnded);
  CHECK(rec.events.back().type == CallEventType::kCallEnded);
  CHECK(t.pbx.activeCalls() == 0);
}

TEST_CASE("click-to-call: a busy destination hangs the source up with BUSY") {
  TwoPhones t;
  t.bob.options().rejectIncomingWith = 486;
  EventRecorder rec(t.pbx.calls());
  pbx::call::OriginateRequest request{"100", "101"};
  t.pbx.calls().originate(request, {});
  t.pbx.runPending();
  t.alice.incoming()->answer();
  t.pbx.runPending();
  CHECK(t.alice.calls().back()->state() == State::kEnded);
  CHECK(rec.events.back().end->cause == Cause::kBusy);
}

TEST_CASE("click-to-call: a source that does not answer ends the call with NOANSWER") {
  TwoPhones t;
  EventRecorder rec(t.pbx.calls());
  pbx::call::OriginateRequest request{"100", "101"};
  request.sourceTimeout = 10s;
  t.pbx.calls().originate(request, {});
  t.pbx.runPending();
  REQUIRE(t.alice.incoming() != nullptr);
  t.pbx.advance(10s);
  CHECK(t.alice.calls().back()->state() == State::kEnded);
  CHECK(t.bob.incoming() == nullptr);
  CHECK(rec.events.back().end->cause == Cause::kNoAnswer);
  CHECK(t.pbx.activeCalls() == 0);
}

TEST_CASE("click-to-call refuses unknown and unregistered sources") {
  TwoPhones t;
  std::optional<absl::StatusOr<pbx::CallId>> unknown, unregistered, empty;
  t.pbx.calls().originate({"999", "101"}, [&](auto id) { unknown = id; });
  t.pbx.calls().originate({"103", "101"}, [&](auto id) { unregistered = id; });
  t.pbx.calls().originate({"", "101"}, [&](auto id) { empty = id; });
  t.pbx.runPending();
  CHECK(unknown->status().code() == absl::StatusCode::kNotFound);
  CHECK(unregistered->status().code() == absl::StatusCode::kUnavailable);
  CHECK(empty->status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(t.pbx.activeCalls() == 0);
}

TEST_CASE("a phone's hold and resume are events") {
  TwoPhones t;
  auto [out, in] = t.answeredCall();
  EventRecorder rec(t.pbx.calls());
  out->reinvite("sendonly");
  t.pbx.runPending();
  out->reinvite("sendrecv");
  t.pbx.runPending();
  CHECK(rec.types() == std::vector<CallEventType>{CallEventType::kHeld, CallEventType::kResumed});
  CHECK(rec.events[0].party.number == "100");
}

TEST_CASE("SimulatedPbx::Create reports bad options instead of aborting") {
  auto options = DemoOptions();
  options.directory.extensions.push_back(options.directory.extensions.front());
  auto made = pbx::testing::SimulatedPbx::Create(options);
  CHECK(made.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(pbx::testing::SimulatedPbx::Create(DemoOptions()).ok());
}

TEST_CASE("operations on a call that does not exist complete with NotFound") {
  TwoPhones t;
  std::optional<absl::Status> a, b;
  t.pbx.calls().answer(pbx::CallId(12345), Into(a));
  t.pbx.calls().hangup(pbx::CallId(12345), Cause::kNormalClearing, Into(b));
  t.pbx.runPending();
  CHECK(a->code() == absl::StatusCode::kNotFound);
  CHECK(b->code() == absl::StatusCode::kNotFound);
}

TEST_CASE("earlyMedia() sends 183 with pbxkit's answer before the call is answered") {
  TwoPhones t;
  auto dialplan = std::make_shared<HeldDialplan>();
  t.pbx.calls().setDialplan(dialplan);
  EventRecorder rec(t.pbx.calls());
  auto& out = t.alice.call("555");
  t.pbx.runPending();
  std::optional<absl::Status> early;
  t.pbx.calls().earlyMedia(dialplan->calls[0].id, Into(early));
  t.pbx.runPending();
  REQUIRE(early.has_value());
  CHECK(early->ok());
  CHECK(out.state() == State::kEarly);
  CHECK(out.provisionals().back() == 183);
  CHECK(out.remoteMedia().ip() == "127.0.0.1");
  CHECK(rec.types().back() == CallEventType::kEarlyMedia);
  // The dialplan may still decide: the call rings on.
  dialplan->decisions[0](Decision::Ring({{"101"}}));
  t.pbx.runPending();
  REQUIRE(t.bob.incoming() != nullptr);
  t.bob.incoming()->answer();
  t.pbx.runPending();
  CHECK(out.state() == State::kAnswered);

  auto& late = t.alice.call("556", pbx::testing::OfferTiming::kInAck);
  t.pbx.runPending();
  std::optional<absl::Status> refused;
  t.pbx.calls().earlyMedia(dialplan->calls[1].id, Into(refused));
  t.pbx.runPending();
  CHECK(refused->code() == absl::StatusCode::kFailedPrecondition);
  CHECK(late.state() == State::kRinging);
}

TEST_CASE("bridge() joins two calls the program answered; unbridge() parts them again") {
  TwoPhones t;
  t.pbx.calls().setDialplan(
      std::make_shared<FunctionDialplan>([](const auto&) { return Decision::Answer(); }));
  EventRecorder rec(t.pbx.calls());
  auto& fromAlice = t.alice.call("700");
  auto& fromBob = t.bob.call("700");
  t.pbx.runPending();
  REQUIRE(fromAlice.state() == State::kAnswered);
  REQUIRE(fromBob.state() == State::kAnswered);
  auto calls = ListCalls(t.pbx);
  REQUIRE(calls.size() == 2);

  std::optional<absl::Status> bridged;
  t.pbx.calls().bridge(calls[0].id, calls[1].id, Into(bridged));
  t.pbx.runPending();
  REQUIRE(bridged.has_value());
  CHECK(bridged->ok());
  CHECK(fromBob.reinvitesReceived() == 1);
  CHECK(fromAlice.sendRtp(10));
  CHECK(fromBob.sendRtp(6));
  CHECK(fromBob.rtpReceived() == 10);
  CHECK(fromAlice.rtpReceived() == 6);
  CHECK(t.pbx.activeCalls() == 1);
  CHECK(rec.events.back().type == CallEventType::kCallEnded);  // the second call

  std::optional<absl::StatusOr<pbx::CallId>> parted;
  t.pbx.calls().unbridge(calls[0].id, [&](absl::StatusOr<pbx::CallId> id) { parted = id; });
  t.pbx.runPending();
  REQUIRE(parted.has_value());
  REQUIRE(parted->ok());
  CHECK(t.pbx.activeCalls() == 2);
  CHECK(fromBob.reinvitesReceived() == 2);
  CHECK(fromAlice.sendRtp(5));
  CHECK(fromBob.rtpReceived() == 10);  // nothing reaches Bob now
  CHECK(fromAlice.state() == State::kAnswered);
  CHECK(fromBob.state() == State::kAnswered);
  bool sawUnbridged = false;
  for (const auto& e : rec.events)
    if (e.type == CallEventType::kUnbridged) sawUnbridged = e.detail == (*parted)->str();
  CHECK(sawUnbridged);

  // And back together.
  std::optional<absl::Status> again;
  t.pbx.calls().bridge(calls[0].id, **parted, Into(again));
  t.pbx.runPending();
  CHECK(again->ok());
  CHECK(fromAlice.sendRtp(4));
  CHECK(fromBob.rtpReceived() == 14);

  std::optional<absl::Status> notLone;
  t.pbx.calls().bridge(calls[0].id, calls[0].id, Into(notLone));
  t.pbx.runPending();
  CHECK(notLone->code() == absl::StatusCode::kInvalidArgument);
}
