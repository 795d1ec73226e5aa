// A two-to-four extension PBX on the simulation harness, shared by the call-control tests.
#pragma once

#include <doctest/doctest.h>

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

}  // namespace pbx::test
