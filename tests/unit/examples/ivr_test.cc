// examples/ivr on the simulation harness: the caller hears the menu, a digit transfers it to
// the extension it stands for, and no digit replays the menu once and then reaches the
// operator.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>

#include "ivr.h"
#include "pbx/testing/simulated_pbx.h"
#include "tests/unit/examples/wav_test_util.h"
#include "tone_wav.h"

using namespace std::chrono_literals;
using pbx::media::DtmfMethod;
using State = pbx::testing::SimCall::State;

namespace {

bool Near(double measured, double expected) {
  return std::abs(measured - expected) <= expected * 0.03;
}

// The IVR on 500: 1 -> 101, 2 -> 102, operator 100; the caller is 103, with real audio.
struct IvrPbx {
  IvrPbx() {
    REQUIRE(examples::WriteToneWav(dir.file("menu.wav"), 440, 500ms).ok());
    for (const char* n : {"100", "101", "102"}) {
      phones.push_back(&pbx.addPhone(n, std::string("pw") + n));
      REQUIRE(phones.back()->registerAccount() == 200);
    }
    pbx::testing::SimPhoneOptions audio;
    audio.audio = true;
    caller = &pbx.addPhone("103", "pw103", audio);
    REQUIRE(caller->registerAccount() == 200);
    examples::Ivr::Menu menu;
    menu.prompt = dir.file("menu.wav");
    menu.choices = {{'1', "101"}, {'2', "102"}};
    menu.operatorExtension = "100";
    menu.wait = 3s;
    pbx.calls().setDialplan(std::make_shared<examples::Ivr>(
        pbx.calls(), menu, [this](const std::string& line) { lines.push_back(line); }));
  }
  static pbx::Options Extensions() {
    pbx::Options o;
    for (const char* n : {"100", "101", "102", "103"})
      o.directory.extensions.push_back({n, {{n, std::string("pw") + n}}});
    return o;
  }
  pbx::testing::SimCall& callMenu() {
    auto& call = caller->call("500");
    pbx.runPending();
    REQUIRE(call.state() == State::kAnswered);
    return call;
  }
  bool ringing(size_t phone) { return phones[phone]->incoming() != nullptr; }

  examples::test::TempDir dir;
  pbx::testing::SimulatedPbx pbx{Extensions()};
  std::vector<pbx::testing::SimPhone*> phones;  // 100, 101, 102
  pbx::testing::SimPhone* caller = nullptr;
  std::vector<std::string> lines;
};

}  // namespace

TEST_CASE("the IVR transfers a caller who dials 1 to 101") {
  IvrPbx t;
  auto& call = t.callMenu();
  t.pbx.advance(300ms);
  CHECK(Near(call.receivedFrequency(), 440));  // the menu
  t.pbx.advance(400ms);
  call.sendDtmf('1', DtmfMethod::kRfc4733, 100ms);
  t.pbx.advance(300ms);
  REQUIRE(t.ringing(1));
  CHECK(t.phones[1]->incoming()->state() == State::kRinging);
  CHECK(!t.ringing(0));
  CHECK(!t.ringing(2));
  t.phones[1]->incoming()->answer();
  t.pbx.runPending();
  CHECK(t.phones[1]->calls().back()->state() == State::kAnswered);
  CHECK(call.state() == State::kAnswered);
}

TEST_CASE("the IVR replays the menu once without input, then transfers to the operator") {
  IvrPbx t;
  auto& call = t.callMenu();
  t.pbx.advance(500ms + 3s + 300ms);  // menu, wait: nothing; the menu again
  CHECK(Near(call.receivedFrequency(), 440));
  CHECK(!t.ringing(0));
  t.pbx.advance(500ms + 3s);
  REQUIRE(t.ringing(0));
  CHECK(!t.ringing(1));
  CHECK(!t.ringing(2));
  CHECK(std::count_if(t.lines.begin(), t.lines.end(), [](const std::string& l) {
          return l.find("no choice") != std::string::npos;
        }) == 2);
}

TEST_CASE("the IVR replays the menu after a digit that stands for nothing") {
  IvrPbx t;
  auto& call = t.callMenu();
  t.pbx.advance(700ms);
  call.sendDtmf('9', DtmfMethod::kRfc4733, 100ms);
  t.pbx.advance(1s);  // replaying
  CHECK(!t.ringing(0));
  call.sendDtmf('2', DtmfMethod::kInfo);  // during the replay: not collected yet
  t.pbx.advance(1s);
  call.sendDtmf('2', DtmfMethod::kInfo);
  t.pbx.advance(300ms);
  REQUIRE(t.ringing(2));
  CHECK(!t.ringing(0));
}

TEST_CASE("calls to other numbers ring the extension dialled") {
  IvrPbx t;
  t.caller->call("101");
  t.pbx.runPending();
  CHECK(t.ringing(1));
}

TEST_CASE("a transfer nobody takes leaves the caller answered, with the IVR") {
  IvrPbx t;
  t.phones[1]->options().rejectIncomingWith = 486;
  auto& call = t.callMenu();
  t.pbx.advance(700ms);
  call.sendDtmf('1', DtmfMethod::kRfc4733, 100ms);
  t.pbx.advance(1s);
  CHECK(t.phones[1]->calls().back()->state() != State::kAnswered);
  CHECK(call.state() == State::kAnswered);
  CHECK(t.pbx.activeCalls() == 1);
}
