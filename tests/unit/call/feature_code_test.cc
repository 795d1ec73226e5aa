// In-call feature codes by DTMF (the seeds' on-call codes): #8 parks, #4 + target + # transfers
// blind, *1 starts and stops a recording of the call.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "lib/call/feature_codes.h"
#include "tests/unit/call/fixture.h"

using namespace std::chrono_literals;
using namespace pbx::test;
using pbx::call::CallEventType;
using pbx::media::DtmfMethod;

namespace {
void Press(pbx::testing::SimulatedPbx& pbx, pbx::testing::SimCall& call, const std::string& keys,
           DtmfMethod method = DtmfMethod::kInfo) {
  for (char key : keys) {
    call.sendDtmf(key, method);
    pbx.advance(250ms);
  }
}
}  // namespace

TEST_CASE("the feature matcher finds codes, restarts on stray digits and after a pause") {
  pbx::FeatureCodes codes;
  pbx::call::FeatureMatcher matcher(codes);
  pbx::MonotonicTime t{};
  CHECK(!matcher.add('#', t));
  CHECK(matcher.add('8', t + 100ms) == pbx::call::Feature::kPark);
  CHECK(!matcher.add('5', t + 200ms));
  CHECK(!matcher.add('*', t + 300ms));
  CHECK(matcher.add('1', t + 400ms) == pbx::call::Feature::kRecord);
  CHECK(!matcher.add('*', t + 500ms));
  CHECK(!matcher.add('#', t + 600ms));  // "*#" starts over at "#"
  CHECK(matcher.add('4', t + 700ms) == pbx::call::Feature::kBlindTransfer);
  CHECK(!matcher.add('#', t + 800ms));
  CHECK(!matcher.add('8', t + 3s));  // too late: "8" alone
}

TEST_CASE("#8 parks the other party; dialling the slot picks it up") {
  ThreePhones t;
  auto [alice, bob] = t.answeredCall();
  Press(t.pbx, *bob, "#8");
  const pbx::call::CallEvent* parked = t.last(CallEventType::kParked);
  REQUIRE(parked != nullptr);
  CHECK(parked->party.number == "100");
  CHECK(bob->state() == pbx::testing::SimCall::State::kEnded);
  CHECK(alice->state() == pbx::testing::SimCall::State::kAnswered);
  auto& pickup = t.dave.call(parked->detail);
  t.pbx.runPending();
  CHECK(pickup.state() == pbx::testing::SimCall::State::kAnswered);
  CheckTalking(*alice, pickup);
}

TEST_CASE("#4 and a target ended by # transfers the other party blind") {
  ThreePhones t;
  auto [alice, bob] = t.answeredCall();
  Press(t.pbx, *bob, "#4103#");
  auto* incoming = t.dave.incoming();
  REQUIRE(incoming != nullptr);
  incoming->answer();
  t.pbx.runPending();
  CHECK(t.saw(CallEventType::kTransferred));
  CheckTalking(*alice, *incoming);
}

TEST_CASE("*1 by RFC 4733 starts a recording of the call and *1 again stops it") {
  auto dir = std::filesystem::temp_directory_path() / ("pbx-ondemand-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto options = DemoOptions();
  options.routing.features.recordingsDirectory = dir.string();
  ThreePhones t(options);
  for (auto* phone : {&t.alice, &t.bob}) phone->options().audio = true;
  auto [alice, bob] = t.answeredCall();
  alice->playTone(700);
  Press(t.pbx, *bob, "*1", DtmfMethod::kRfc4733);
  t.pbx.advance(1s);
  REQUIRE(t.saw(CallEventType::kRecordingStarted));
  const std::string path = t.last(CallEventType::kRecordingStarted)->detail;
  CHECK(path.rfind(dir.string(), 0) == 0);
  Press(t.pbx, *bob, "*1", DtmfMethod::kRfc4733);
  for (int i = 0; i < 300 && !t.saw(CallEventType::kRecordingStopped); ++i) {
    std::this_thread::sleep_for(10ms);
    t.pbx.runPending();
  }
  CHECK(t.saw(CallEventType::kRecordingStopped));
  CHECK(std::filesystem::file_size(path) > 16000);
  std::filesystem::remove_all(dir);
}
