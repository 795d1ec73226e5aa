#include "lib/media/audio/player.h"

#include <doctest/doctest.h>

#include <memory>
#include <span>
#include <vector>

#include "tests/unit/media/audio/signal.h"

namespace pbx::media::internal {
namespace {

using namespace std::chrono_literals;
using testutil::Frequency;
using testutil::Rms;
using testutil::Sine;

PromptPtr SinePrompt(double hz, size_t samples) {
  auto prompt = std::make_shared<Prompt>();
  prompt->name = "sine";
  prompt->samples = Sine(hz, kGraphRate, samples);
  return prompt;
}

std::vector<int16_t> Ticks(Player& player, int count) {
  std::vector<int16_t> out;
  AudioFrame frame;
  for (int i = 0; i < count; ++i) {
    player.tick(frame);
    out.insert(out.end(), frame.samples.begin(), frame.samples.end());
  }
  return out;
}

std::span<const int16_t> Slice(const std::vector<int16_t>& x, size_t from, size_t to) {
  return std::span<const int16_t>(x).subspan(from, to - from);
}

TEST_CASE("A playlist plays its prompts and silences back to back, then finishes") {
  Player player;
  CHECK(player.state() == Player::State::kIdle);
  PlaylistItem items[] = {PlaylistItem::Play(SinePrompt(1000, 3200)),  // 200 ms
                          PlaylistItem::Silence(100ms),
                          PlaylistItem::Play(SinePrompt(2000, 4800))};  // 300 ms
  REQUIRE(player.start(items).ok());
  AudioFrame frame;
  std::vector<int16_t> out;
  int ticks = 0;
  while (player.tick(frame)) {
    out.insert(out.end(), frame.samples.begin(), frame.samples.end());
    ++ticks;
    if (ticks == 5) {
      CHECK(player.position() == 100ms);
      CHECK(player.itemIndex() == 0);
    }
    if (ticks == 12) CHECK(player.itemIndex() == 1);
    if (ticks == 29) CHECK_FALSE(player.finished());
    REQUIRE(ticks <= 30);
  }
  CHECK(ticks == 30);  // exactly 600 ms, finished on the tick that played the last sample
  CHECK(player.finished());
  CHECK(player.passes() == 1);
  CHECK(Frequency(Slice(out, 0, 3200), kGraphRate) == doctest::Approx(1000).epsilon(0.01));
  CHECK(Rms(Slice(out, 3200, 4800)) == 0);
  CHECK(Frequency(Slice(out, 4800, 9600), kGraphRate) == doctest::Approx(2000).epsilon(0.01));
  CHECK_FALSE(player.tick(frame));
  CHECK(Rms(frame.samples) == 0);
}

TEST_CASE("A looped playlist repeats without a gap (music on hold)") {
  // 250 ms of 400 Hz is whole periods, so the loop seam is invisible in a continuous sine.
  PromptPtr music = SinePrompt(400, 4000);
  Player player;
  PlaylistItem items[] = {PlaylistItem::Play(music)};
  REQUIRE(player.start(items, Player::Loop::kYes).ok());
  std::vector<int16_t> out = Ticks(player, 100);  // 2 s: 8 passes
  CHECK(player.state() == Player::State::kPlaying);
  CHECK(player.passes() == 8);
  CHECK(player.position() == 0ms);
  std::vector<int16_t> expected = Sine(400, kGraphRate, out.size());
  CHECK(out == expected);
  Ticks(player, 3);
  CHECK(player.position() == 60ms);

  player.stop();
  CHECK(player.state() == Player::State::kStopped);
  CHECK(music.use_count() == 2);  // `music` and `items`: the player let go
  AudioFrame frame;
  CHECK_FALSE(player.tick(frame));
  CHECK(Rms(frame.samples) == 0);
}

TEST_CASE("A prompt that is not whole frames continues into the next item mid-frame") {
  Player player;
  PromptPtr a = SinePrompt(800, 500);  // 1.5625 frames
  PlaylistItem items[] = {PlaylistItem::Play(a), PlaylistItem::Play(a)};
  REQUIRE(player.start(items, Player::Loop::kNo).ok());
  std::vector<int16_t> out = Ticks(player, 4);
  CHECK(player.finished());
  std::vector<int16_t> twice = a->samples;
  twice.insert(twice.end(), a->samples.begin(), a->samples.end());
  CHECK(std::equal(twice.begin(), twice.end(), out.begin()));
  CHECK(Rms(Slice(out, 1000, out.size())) == 0);
}

TEST_CASE("Playlists that are too long or empty") {
  Player player(2);
  PromptPtr a = SinePrompt(800, 320);
  std::vector<PlaylistItem> three(3, PlaylistItem::Play(a));
  CHECK(player.start(three).code() == absl::StatusCode::kInvalidArgument);
  CHECK(player.state() == Player::State::kIdle);
  CHECK(player.start({}, Player::Loop::kYes).ok());
  CHECK(player.finished());
  PlaylistItem nothing[] = {PlaylistItem::Silence(0ms)};
  CHECK(player.start(nothing, Player::Loop::kYes).ok());
  CHECK(player.finished());
  AudioFrame frame;
  CHECK_FALSE(player.tick(frame));
}

}  // namespace
}  // namespace pbx::media::internal
