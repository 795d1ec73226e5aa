// examples/click_to_call on the simulation harness: the code that drives a real pbxd-less PBX
// in main.cc drives the simulated one the same way.
#include <doctest/doctest.h>

#include "click_to_call.h"
#include "pbx/testing/simulated_pbx.h"

using State = pbx::testing::SimCall::State;

namespace {
pbx::Options TwoExtensions() {
  pbx::Options o;
  o.directory.extensions = {{"200", {{"200", "pw200"}}, "Desk"},
                            {"201", {{"201", "pw201"}}, "Lab"}};
  return o;
}
}  // namespace

TEST_CASE("the click-to-call example rings the source, then the destination, and sees the end") {
  pbx::testing::SimulatedPbx pbx(TwoExtensions());
  auto& desk = pbx.addPhone("200", "pw200");
  auto& lab = pbx.addPhone("201", "pw201");
  REQUIRE(desk.registerAccount() == 200);
  REQUIRE(lab.registerAccount() == 200);
  std::vector<std::string> lines;
  std::optional<examples::ClickToCallResult> done;
  auto subscription = examples::StartClickToCall(
      pbx.calls(), "200", "201", "test-1", [&](const std::string& l) { lines.push_back(l); },
      [&](const examples::ClickToCallResult& r) { done = r; });
  REQUIRE(subscription.ok());
  pbx.runPending();
  REQUIRE(desk.incoming() != nullptr);
  desk.incoming()->answer();
  pbx.runPending();
  REQUIRE(lab.incoming() != nullptr);
  lab.incoming()->answer();
  pbx.runPending();
  CHECK(!done.has_value());
  lab.calls().back()->hangup();
  pbx.runPending();
  REQUIRE(done.has_value());
  CHECK(done->call.ok());
  CHECK(done->ended);
  CHECK(done->cause == pbx::call::Cause::kNormalClearing);
  CHECK(lines.front() == "pbx.call.start ");
  CHECK(lines.back() == "pbx.call.end  NCC");
  CHECK(std::find(lines.begin(), lines.end(), "pbx.extension.answercall 201") != lines.end());
}

TEST_CASE("the click-to-call example reports a source that cannot ring") {
  pbx::testing::SimulatedPbx pbx(TwoExtensions());
  std::optional<examples::ClickToCallResult> done;
  auto subscription = examples::StartClickToCall(
      pbx.calls(), "200", "201", "test-2", [](const std::string&) {},
      [&](const examples::ClickToCallResult& r) { done = r; });
  pbx.runPending();
  REQUIRE(done.has_value());
  CHECK(done->call.status().code() == absl::StatusCode::kUnavailable);
}
