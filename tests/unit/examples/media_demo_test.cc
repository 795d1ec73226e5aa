// examples/media_demo on the simulation harness: a phone with real audio calls in, hears the
// prompt, sends a tone and digits; the demo reports the digits, and the recording on disk holds
// the phone's tone on the left and the prompt on the right.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <thread>

#include "media_demo.h"
#include "pbx/testing/simulated_pbx.h"
#include "tests/unit/examples/wav_test_util.h"
#include "tone_wav.h"

using namespace std::chrono_literals;
using examples::MediaDemo;
using examples::test::ReadWav;
using examples::test::TempDir;
using examples::test::ToneFrequency;
using pbx::media::DtmfMethod;
using State = pbx::testing::SimCall::State;

namespace {

bool Near(double measured, double expected) {
  return std::abs(measured - expected) <= expected * 0.03;
}

// The demo on a simulated PBX with one phone (200) that has real audio.
struct Demo {
  explicit Demo(std::vector<std::string> codecs, bool telephoneEvent) {
    REQUIRE(examples::WriteToneWav(dir.file("prompt.wav"), 440, 600ms).ok());
    pbx::testing::SimPhoneOptions phoneOptions;
    phoneOptions.audio = true;
    phoneOptions.codecs = std::move(codecs);
    phoneOptions.telephoneEvent = telephoneEvent;
    phone = &pbx.addPhone("200", "pw200", phoneOptions);
    REQUIRE(phone->registerAccount() == 200);
    demo = std::make_shared<MediaDemo>(
        pbx.calls(), MediaDemo::Settings{.prompt = dir.file("prompt.wav"), .recordings = dir.path},
        [this](const std::string& line) { lines.push_back(line); },
        [this](const MediaDemo::Result& r) { result = r; });
    auto made = demo->follow(pbx.calls().events());
    REQUIRE(made.ok());
    following = std::move(*made);
    pbx.calls().setDialplan(demo);
  }
  static pbx::Options OneExtension() {
    pbx::Options o;
    o.directory.extensions = {{"200", {{"200", "pw200"}}, "Desk"}};
    return o;
  }
  bool reported(const std::string& line) const {
    return std::find(lines.begin(), lines.end(), line) != lines.end();
  }
  // The recording is written by the writer thread, on real time: run the simulation until the
  // demo saw it complete and hung up (bounded, in case it never does).
  void awaitEnd() {
    for (int i = 0; i < 2000 && !result; ++i) {
      pbx.advance(20ms);
      std::this_thread::sleep_for(1ms);
    }
  }

  TempDir dir;
  pbx::testing::SimulatedPbx pbx{OneExtension()};
  pbx::testing::SimPhone* phone = nullptr;
  std::shared_ptr<MediaDemo> demo;
  pbx::call::EventSubscriptionPtr following;
  std::vector<std::string> lines;
  std::optional<MediaDemo::Result> result;
};

}  // namespace

TEST_CASE("the media demo plays its prompt, reports RFC 4733 digits and records the call") {
  Demo t({"PCMU"}, /*telephoneEvent=*/true);
  auto& call = t.phone->call("600");
  t.pbx.runPending();
  REQUIRE(call.state() == State::kAnswered);
  call.playTone(1000);
  t.pbx.advance(400ms);
  CHECK(Near(call.receivedFrequency(), 440));  // the prompt
  t.pbx.advance(600ms);                        // it has ended: the collection is on
  for (char digit : std::string("42#")) {
    call.sendDtmf(digit, DtmfMethod::kRfc4733, 100ms);
    t.pbx.advance(300ms);
  }
  CHECK(t.reported("digits 42 (terminator)"));
  t.awaitEnd();
  REQUIRE(t.result.has_value());
  CHECK(t.result->digits == "42");
  CHECK(t.result->reason == pbx::call::CollectedDigits::Reason::kTerminator);
  CHECK(call.state() == State::kEnded);

  // Left: what the phone said (its 1000 Hz tone); right: what it heard (the 440 Hz prompt).
  REQUIRE(t.result->recording == t.dir.file(t.result->call.str() + ".wav"));
  auto wav = ReadWav(t.result->recording);
  REQUIRE(wav.has_value());
  CHECK(wav->channels == 2);
  CHECK(wav->rate == 16000);
  CHECK(wav->samples[0].size() >= 16000);  // at least the second before the digits
  auto said = wav->slice(0, 0.2, 0.5);
  auto heard = wav->slice(1, 0.2, 0.5);
  CHECK(examples::test::Rms(said) > 1000);
  CHECK(examples::test::Rms(heard) > 1000);
  CHECK(Near(ToneFrequency(said, wav->rate), 1000));
  CHECK(Near(ToneFrequency(heard, wav->rate), 440));
}

TEST_CASE("the media demo hears in-band digits from a phone without telephone-event") {
  Demo t({"G722"}, /*telephoneEvent=*/false);
  auto& call = t.phone->call("600");
  t.pbx.runPending();
  REQUIRE(call.state() == State::kAnswered);
  CHECK(call.mediaFormat().telephoneEvent < 0);
  t.pbx.advance(1s);
  for (char digit : std::string("13")) {
    call.sendDtmf(digit, DtmfMethod::kInband, 120ms);
    t.pbx.advance(400ms);
  }
  t.pbx.advance(3s);  // the inter-digit timeout ends the collection with what it has
  CHECK(t.reported("digits 13 (timeout)"));
  t.awaitEnd();
  REQUIRE(t.result.has_value());
  CHECK(t.result->digits == "13");
  CHECK(t.result->reason == pbx::call::CollectedDigits::Reason::kTimeout);
  CHECK(ReadWav(t.result->recording).has_value());
}

TEST_CASE("the media demo reports a prompt it cannot read and still collects digits by INFO") {
  Demo t({"PCMU"}, true);
  std::filesystem::remove(t.dir.file("prompt.wav"));
  auto& call = t.phone->call("600");
  t.pbx.runPending();
  REQUIRE(call.state() == State::kAnswered);
  t.pbx.advance(100ms);
  CHECK(std::any_of(t.lines.begin(), t.lines.end(),
                    [](const std::string& l) { return l.rfind("prompt: ", 0) == 0; }));
  for (char digit : std::string("9876")) {
    call.sendDtmf(digit, DtmfMethod::kInfo);
    t.pbx.advance(200ms);
  }
  CHECK(t.reported("digits 9876 (max-digits)"));
  t.awaitEnd();
  REQUIRE(t.result.has_value());
  CHECK(t.result->digits == "9876");
}
