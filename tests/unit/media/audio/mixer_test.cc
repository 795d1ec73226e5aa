#include "lib/media/audio/mixer.h"

#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <vector>

#include "tests/unit/media/audio/signal.h"

namespace pbx::media::internal {
namespace {

using testutil::Rms;
using testutil::SineFrame;
using testutil::TonePower;

constexpr int kTicks = 10;  // 200 ms: whole periods of every tone below
constexpr double kAmplitude = 8000;
constexpr double kHeard = 4000.0 * 4000.0 * 0.9;  // (amplitude / 2)^2, with a margin
constexpr double kUnheard = 1.0;                  // what rounding may leave

// Runs the mixer for kTicks with one tone per speaking participant (and optional whispers)
// and returns what each participant heard.
std::map<int, std::vector<int16_t>> Run(Mixer& mixer, const std::map<int, double>& tones,
                                        const std::map<int, double>& whispers = {}) {
  std::map<int, std::vector<int16_t>> heard;
  for (int tick = 0; tick < kTicks; ++tick) {
    for (auto [id, hz] : tones) {
      AudioFrame frame = SineFrame(hz, tick, kAmplitude);
      mixer.setInput(id, &frame);
    }
    for (auto [id, hz] : whispers) {
      AudioFrame frame = SineFrame(hz, tick, kAmplitude);
      mixer.setWhisper(id, &frame);
    }
    mixer.mix();
    for (int id = 0; id < Mixer::kMaxParticipants; ++id) {
      if (!mixer.contains(id)) continue;
      const AudioFrame& out = mixer.output(id);
      heard[id].insert(heard[id].end(), out.samples.begin(), out.samples.end());
    }
  }
  return heard;
}

double Power(const std::vector<int16_t>& x, double hz) { return TonePower(x, hz, kGraphRate); }

TEST_CASE("Each participant hears the others and not itself") {
  auto mixer = std::make_unique<Mixer>();
  int a = *mixer->add(), b = *mixer->add(), c = *mixer->add();
  CHECK(mixer->participants() == 3);
  std::map<int, double> tones = {{a, 400}, {b, 1000}, {c, 1700}};
  auto heard = Run(*mixer, tones);
  for (auto [listener, ownHz] : tones) {
    CAPTURE(listener);
    for (auto [speaker, hz] : tones) {
      if (speaker == listener) {
        CHECK(Power(heard[listener], hz) < kUnheard);
      } else {
        CHECK(Power(heard[listener], hz) > kHeard);
      }
    }
  }
}

TEST_CASE("A muted participant hears everyone and is heard by no one") {
  auto mixer = std::make_unique<Mixer>();
  int a = *mixer->add(), b = *mixer->add(), c = *mixer->add();
  mixer->setMuted(b, true);
  CHECK(mixer->muted(b));
  auto heard = Run(*mixer, {{a, 400}, {b, 1000}, {c, 1700}});
  CHECK(Power(heard[a], 1000) < kUnheard);
  CHECK(Power(heard[c], 1000) < kUnheard);
  CHECK(Power(heard[a], 1700) > kHeard);
  CHECK(Power(heard[b], 400) > kHeard);
  CHECK(Power(heard[b], 1700) > kHeard);

  mixer->setMuted(b, false);
  heard = Run(*mixer, {{a, 400}, {b, 1000}, {c, 1700}});
  CHECK(Power(heard[a], 1000) > kHeard);
}

TEST_CASE("A whisper is heard by its participant only") {
  auto mixer = std::make_unique<Mixer>();
  int a = *mixer->add(), b = *mixer->add(), c = *mixer->add();
  auto heard = Run(*mixer, {{a, 400}, {b, 1000}, {c, 1700}}, {{a, 2500}});
  CHECK(Power(heard[a], 2500) > kHeard);
  CHECK(Power(heard[b], 2500) < kUnheard);
  CHECK(Power(heard[c], 2500) < kUnheard);
  CHECK(Power(heard[a], 1000) > kHeard);
  // Whispers last one tick: the next mix has none.
  heard = Run(*mixer, {{a, 400}});
  CHECK(Power(heard[a], 2500) < kUnheard);
}

TEST_CASE("A listen-only participant hears all and is heard by none") {
  auto mixer = std::make_unique<Mixer>();
  int a = *mixer->add(), b = *mixer->add(), c = *mixer->add();
  int spy = *mixer->add(Mixer::Role::kListenOnly);
  auto heard = Run(*mixer, {{a, 400}, {b, 1000}, {c, 1700}, {spy, 3100}});
  for (double hz : {400, 1000, 1700}) CHECK(Power(heard[spy], hz) > kHeard);
  for (int id : {a, b, c}) CHECK(Power(heard[id], 3100) < kUnheard);
  CHECK(Power(heard[spy], 3100) < kUnheard);

  mixer->setRole(spy, Mixer::Role::kSpeaker);  // barge in
  heard = Run(*mixer, {{a, 400}, {spy, 3100}});
  CHECK(Power(heard[a], 3100) > kHeard);
}

AudioFrame Constant(int16_t v) {
  AudioFrame f;
  f.samples.fill(v);
  return f;
}

TEST_CASE("Sums saturate at full scale, and one's own voice is removed before clipping") {
  auto mixer = std::make_unique<Mixer>();
  int a = *mixer->add(), b = *mixer->add(), c = *mixer->add(), d = *mixer->add();
  AudioFrame high = Constant(30000), low = Constant(-30000);
  mixer->setInput(a, &high);
  mixer->setInput(b, &high);
  mixer->setInput(c, &low);
  mixer->mix();
  CHECK(mixer->output(d).samples[0] == 30000);  // 30000 + 30000 - 30000
  CHECK(mixer->output(a).samples[0] == 0);      // b + c, exactly
  CHECK(mixer->output(c).samples[7] == 32767);  // 60000 clips
  mixer->setInput(a, &low);
  mixer->setInput(b, &low);
  mixer->setInput(c, &low);
  mixer->mix();
  CHECK(mixer->output(d).samples[0] == -32768);  // -90000 clips
  CHECK(mixer->output(a).samples[319] == -32768);
  mixer->mix();  // inputs were consumed: silence
  CHECK(Rms(mixer->output(d).samples) == 0);
}

TEST_CASE("Participants come and go up to the fixed maximum") {
  auto mixer = std::make_unique<Mixer>();
  for (int i = 0; i < Mixer::kMaxParticipants; ++i) CHECK(mixer->add().ok());
  CHECK(mixer->add().status().code() == absl::StatusCode::kResourceExhausted);
  mixer->remove(5);
  CHECK_FALSE(mixer->contains(5));
  CHECK(mixer->participants() == Mixer::kMaxParticipants - 1);
  AudioFrame tone = SineFrame(1000, 0);
  mixer->setInput(5, &tone);  // ignored: gone
  mixer->mix();
  CHECK(Rms(mixer->output(0).samples) == 0);
  CHECK(Rms(mixer->output(5).samples) == 0);
  CHECK(Rms(mixer->output(-1).samples) == 0);
  auto again = mixer->add();
  REQUIRE(again.ok());
  CHECK(*again == 5);
}

}  // namespace
}  // namespace pbx::media::internal
