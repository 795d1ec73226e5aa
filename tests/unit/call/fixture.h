// A two-to-four extension PBX on the simulation harness, shared by the call-control tests.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "pbx/call/call_control.h"
#include "pbx/testing/simulated_pbx.h"

namespace pbx::test {

inline Options DemoOptions() {
  Options o;
  o.sip.domain = "pbx.test";
  o.directory.extensions = {
      {"100", {{"100", "pw100"}}, "Alice"},
      {"101", {{"101", "pw101"}}, "Bob"},
      {"102", {{"102a", "pw102a"}, {"102b", "pw102b"}}, "Carol"},  // two devices
      {"103", {{"103", "pw103"}}, "Dave"},
  };
  return o;
}

using State = pbx::testing::SimCall::State;

// Alice (100) and Bob (101), both registered.
struct TwoPhones {
  pbx::testing::SimulatedPbx pbx;
  pbx::testing::SimPhone& alice = pbx.addPhone("100", "pw100");
  pbx::testing::SimPhone& bob = pbx.addPhone("101", "pw101");
  explicit TwoPhones(Options options = DemoOptions()) : pbx(std::move(options)) {
    REQUIRE(alice.registerAccount() == 200);
    REQUIRE(bob.registerAccount() == 200);
  }
  // Alice calls Bob; returns both ends once Bob's phone rings.
  std::pair<pbx::testing::SimCall*, pbx::testing::SimCall*> ringingCall(
      pbx::testing::OfferTiming offer = pbx::testing::OfferTiming::kInInvite) {
    auto& out = alice.call("101", offer);
    pbx.runPending();
    auto* in = bob.incoming();
    REQUIRE(in != nullptr);
    return {&out, in};
  }
  // Alice calls Bob and Bob answers.
  std::pair<pbx::testing::SimCall*, pbx::testing::SimCall*> answeredCall() {
    auto [out, in] = ringingCall();
    in->answer();
    pbx.runPending();
    REQUIRE(out->state() == State::kAnswered);
    return {out, in};
  }
};

// Every event of the PBX (or those `filter` lets through), in the order the listener got them.
struct EventRecorder {
  explicit EventRecorder(pbx::call::CallControl& calls, pbx::call::EventFilter filter = {}) {
    auto made = calls.events().subscribe(
        filter, std::nullopt, [this](const pbx::call::CallEvent& e) { events.push_back(e); });
    REQUIRE(made.ok());
    subscription = std::move(*made);
  }
  std::vector<pbx::call::CallEventType> types() const {
    std::vector<pbx::call::CallEventType> out;
    for (const auto& e : events) out.push_back(e.type);
    return out;
  }
  bool saw(pbx::call::CallEventType type) const {
    return std::any_of(events.begin(), events.end(), [&](auto& e) { return e.type == type; });
  }
  // The newest event of `type`, or nullptr.
  const pbx::call::CallEvent* last(pbx::call::CallEventType type) const {
    for (auto it = events.rbegin(); it != events.rend(); ++it)
      if (it->type == type) return &*it;
    return nullptr;
  }
  std::vector<pbx::call::CallEvent> events;
  pbx::call::EventSubscriptionPtr subscription;
};

// The calls in progress, through the call API.
inline std::vector<pbx::call::CallInfo> ListCalls(pbx::testing::SimulatedPbx& pbx) {
  std::vector<pbx::call::CallInfo> out;
  pbx.calls().listCalls([&](std::vector<pbx::call::CallInfo> c) { out = std::move(c); });
  pbx.runPending();
  return out;
}

// The id of the leg of `call` whose party has `number`.
inline pbx::LegId LegOf(const pbx::call::CallInfo& call, const std::string& number) {
  for (const auto& leg : call.legs)
    if (leg.party.number == number) return leg.id;
  return {};
}

// Media flows both ways between two answered phones, through the relay.
inline void CheckTalking(pbx::testing::SimCall& a, pbx::testing::SimCall& b) {
  uint64_t atA = a.rtpReceived(), atB = b.rtpReceived();
  CHECK(a.sendRtp(10));
  CHECK(b.sendRtp(7));
  CHECK(b.rtpReceived() == atB + 10);
  CHECK(a.rtpReceived() == atA + 7);
}

// Alice (100), Bob (101) and Dave (103), registered, with every event recorded.
struct ThreePhones : TwoPhones {
  explicit ThreePhones(Options options = DemoOptions()) : TwoPhones(std::move(options)) {
    REQUIRE(dave.registerAccount() == 200);
  }
  // `caller` calls `number` and `callee` answers: the caller's end of the call.
  pbx::testing::SimCall& connect(pbx::testing::SimPhone& caller, const std::string& number,
                                 pbx::testing::SimPhone& callee) {
    auto& call = caller.call(number);
    pbx.runPending();
    REQUIRE(callee.incoming() != nullptr);
    callee.incoming()->answer();
    pbx.runPending();
    REQUIRE(call.state() == State::kAnswered);
    return call;
  }
  const pbx::call::CallEvent* last(pbx::call::CallEventType type) const {
    return recorder.last(type);
  }
  bool saw(pbx::call::CallEventType type) const { return recorder.saw(type); }
  std::vector<pbx::call::CallInfo> calls() { return ListCalls(pbx); }

  pbx::testing::SimPhone& dave = pbx.addPhone("103", "pw103");
  EventRecorder recorder{pbx.calls()};
};

}  // namespace pbx::test
