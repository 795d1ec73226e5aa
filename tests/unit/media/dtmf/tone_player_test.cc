#include "lib/spandsp/tone_player.h"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <vector>

#include "tests/unit/media/dtmf/signal.h"

namespace pbx::media::internal {
namespace {

using std::chrono::milliseconds;
using testutil::ToneAmplitude;

constexpr size_t kBlock = kGraphRate / 200;  // 5 ms: every cadence here is a multiple of it

// Plays `sequence` for `duration` and returns the 16 kHz samples.
std::vector<int16_t> Play(const ToneSequence& sequence, milliseconds duration,
                          int* activeFrames = nullptr) {
  auto player = TonePlayer::Create();
  REQUIRE(player.ok());
  (*player)->play(sequence);
  std::vector<int16_t> samples;
  int active = 0;
  for (int frame = 0; frame < duration / kFrameDuration; ++frame) {
    AudioFrame audio;
    if ((*player)->fill(audio)) ++active;
    samples.insert(samples.end(), audio.samples.begin(), audio.samples.end());
  }
  if (activeFrames != nullptr) *activeFrames = active;
  return samples;
}

// The cadence as runs of 5 ms blocks, on or off.
std::vector<testutil::Run> Cadence(const std::vector<int16_t>& samples) {
  std::vector<bool> states;
  for (size_t at = 0; at + kBlock <= samples.size(); at += kBlock) {
    states.push_back(testutil::Rms(samples.data() + at, kBlock) > 300);
  }
  return testutil::Runs(states);
}

// Checks that the runs repeat `cycle` (alternating on/off durations in ms, starting on) for
// `cycles` cycles, to within one block at each edge.
void CheckCadence(const std::vector<testutil::Run>& runs, const std::vector<int>& cycle,
                  int cycles) {
  REQUIRE(runs.size() >= cycle.size() * cycles);
  for (size_t i = 0; i < cycle.size() * cycles; ++i) {
    CAPTURE(i);
    CHECK(runs[i].on == (i % 2 == 0));
    const int expectedBlocks = cycle[i % cycle.size()] / 5;
    CHECK(std::abs(static_cast<int>(runs[i].blocks) - expectedBlocks) <= 1);
  }
}

// Amplitude at `frequency` over 200 ms starting `fromMs` into the samples.
double Amplitude(const std::vector<int16_t>& samples, int fromMs, double frequency) {
  const size_t from = static_cast<size_t>(fromMs) * kGraphRate / 1000;
  return ToneAmplitude(samples.data() + from, kGraphRate / 5, frequency, kGraphRate);
}

const ToneSequence& Tone(const char* country, CallProgressTone which) {
  auto scheme = FindToneScheme(country);
  REQUIRE(scheme.ok());
  return (*scheme)->tone(which);
}

TEST_CASE("tone plans: lookup by country") {
  CHECK(FindToneScheme("it").ok());
  CHECK(FindToneScheme("US").ok());
  CHECK((*FindToneScheme("gb"))->country == "uk");
  CHECK(FindToneScheme("xx").status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_FALSE(FindToneScheme("").ok());
  for (const char* country : {"it", "uk", "us"}) {
    for (size_t i = 0; i < kCallProgressToneCount; ++i) {
      CHECK((*FindToneScheme(country))->tone(static_cast<CallProgressTone>(i)).count > 0);
    }
  }
}

TEST_CASE("US ringback: 440 + 480 Hz, 2 s on, 4 s off") {
  auto samples = Play(Tone("us", CallProgressTone::kRingback), milliseconds(13000));
  CheckCadence(Cadence(samples), {2000, 4000}, 2);
  CHECK(Amplitude(samples, 500, 440) > 1500);  // -19 dBm0: about 2600 peak
  CHECK(Amplitude(samples, 500, 480) > 1500);
  CHECK(Amplitude(samples, 500, 620) < 100);
  CHECK(Amplitude(samples, 6500, 440) > 1500);  // the second cycle
}

TEST_CASE("US busy: 480 + 620 Hz, 0.5 s on, 0.5 s off") {
  auto samples = Play(Tone("us", CallProgressTone::kBusy), milliseconds(3100));
  CheckCadence(Cadence(samples), {500, 500}, 3);
  CHECK(Amplitude(samples, 100, 480) > 800);  // -24 dBm0: about 1450 peak
  CHECK(Amplitude(samples, 100, 620) > 800);
  CHECK(Amplitude(samples, 100, 440) < 100);
}

TEST_CASE("UK ringback: 400 + 450 Hz, 0.4 on 0.2 off 0.4 on 2 off") {
  auto samples = Play(Tone("uk", CallProgressTone::kRingback), milliseconds(6200));
  CheckCadence(Cadence(samples), {400, 200, 400, 2000}, 2);
  CHECK(Amplitude(samples, 100, 400) > 1500);
  CHECK(Amplitude(samples, 100, 450) > 1500);
  CHECK(Amplitude(samples, 100, 425) < Amplitude(samples, 100, 400) / 2);
}

TEST_CASE("UK busy: 400 Hz, 0.375 s on, 0.375 s off") {
  auto samples = Play(Tone("uk", CallProgressTone::kBusy), milliseconds(3100));
  CheckCadence(Cadence(samples), {375, 375}, 4);
  CHECK(Amplitude(samples, 100, 400) > 3000);
  CHECK(Amplitude(samples, 100, 450) < 300);
}

TEST_CASE("Italian ringback and busy: 425 Hz, 1 on 4 off and 0.5 on 0.5 off") {
  auto ringback = Play(Tone("it", CallProgressTone::kRingback), milliseconds(10600));
  CheckCadence(Cadence(ringback), {1000, 4000}, 2);
  CHECK(Amplitude(ringback, 300, 425) > 3000);
  CHECK(Amplitude(ringback, 300, 400) < 300);
  auto busy = Play(Tone("it", CallProgressTone::kBusy), milliseconds(3100));
  CheckCadence(Cadence(busy), {500, 500}, 3);
  CHECK(Amplitude(busy, 100, 425) > 3000);
}

TEST_CASE("Italian dial tone and congestion cadences") {
  CheckCadence(Cadence(Play(Tone("it", CallProgressTone::kDial), milliseconds(4200))),
               {200, 200, 600, 1000}, 2);
  CheckCadence(Cadence(Play(Tone("it", CallProgressTone::kCongestion), milliseconds(2100))),
               {200, 200}, 5);
}

TEST_CASE("a continuous dial tone has no gaps") {
  auto samples = Play(Tone("us", CallProgressTone::kDial), milliseconds(3000));
  auto runs = Cadence(samples);
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].on);
  CHECK(Amplitude(samples, 1000, 350) > 3000);
  CHECK(Amplitude(samples, 1000, 440) > 3000);
}

TEST_CASE("a one-shot sequence stops: confirmation tone") {
  int activeFrames = 0;
  auto samples =
      Play(Tone("us", CallProgressTone::kConfirmation), milliseconds(2000), &activeFrames);
  CHECK(activeFrames == 30);  // three 100 ms beeps with 100 ms gaps
  auto runs = Cadence(samples);
  REQUIRE(runs.size() == 6);  // on off on off on off(rest)
  CheckCadence(runs, {100, 100}, 2);
}

TEST_CASE("custom tone sequences") {
  const std::vector<ToneSegment> segments{
      {.frequency1 = 1000, .levelDbm0 = -10, .on = milliseconds(200), .off = milliseconds(100)},
      {.frequency1 = 2000, .frequency2 = 2500, .levelDbm0 = -16, .on = milliseconds(300)},
      {.on = milliseconds(0), .off = milliseconds(400)},  // a pause
  };
  auto once = ToneSequence::Create(segments, /*repeat=*/false);
  REQUIRE(once.ok());
  int activeFrames = 0;
  auto samples = Play(*once, milliseconds(2000), &activeFrames);
  CHECK(activeFrames == 50);  // 1 s of segments
  CHECK(Amplitude(samples, 0, 1000) > 3000);
  CHECK(Amplitude(samples, 0, 2000) < 100);
  CHECK(Amplitude(samples, 350, 2000) > 1000);
  CHECK(Amplitude(samples, 350, 2500) > 1000);
  CHECK(Amplitude(samples, 350, 1000) < 100);
  CheckCadence(Cadence(samples), {200, 100, 300, 1400}, 1);

  auto looped = ToneSequence::Create(segments, /*repeat=*/true);
  REQUIRE(looped.ok());
  CheckCadence(Cadence(Play(*looped, milliseconds(3100))), {200, 100, 300, 400}, 3);

  const std::vector<ToneSegment> tooHigh{{.frequency1 = 5000, .on = milliseconds(100)}};
  CHECK_FALSE(ToneSequence::Create(tooHigh, true).ok());
  const std::vector<ToneSegment> empty{{.frequency1 = 400}};
  CHECK_FALSE(ToneSequence::Create(empty, true).ok());
  const std::vector<ToneSegment> loud{{.frequency1 = 400, .levelDbm0 = 3, .on = milliseconds(1)}};
  CHECK_FALSE(ToneSequence::Create(loud, true).ok());
  CHECK_FALSE(ToneSequence::Create({}, true).ok());
  const std::vector<ToneSegment> many(17, ToneSegment{.frequency1 = 400, .on = milliseconds(10)});
  CHECK_FALSE(ToneSequence::Create(many, true).ok());
}

TEST_CASE("stop() ends a tone and leaves the frame alone") {
  auto player = TonePlayer::Create();
  (*player)->play(Tone("it", CallProgressTone::kRingback));
  AudioFrame frame;
  CHECK((*player)->fill(frame));
  CHECK((*player)->playing());
  (*player)->stop();
  frame.samples.fill(77);
  CHECK_FALSE((*player)->fill(frame));
  CHECK(frame.samples[100] == 77);
}

}  // namespace
}  // namespace pbx::media::internal
