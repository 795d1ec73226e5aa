#include "lib/media/audio/prompt_cache.h"

#include <doctest/doctest.h>

#include <thread>
#include <vector>

#include "lib/media/audio/player.h"
#include "lib/media/audio/sound_file.h"
#include "tests/unit/media/audio/signal.h"
#include "tests/unit/media/audio/temp_dir.h"

namespace pbx::media::internal {
namespace {

using testutil::Frequency;
using testutil::Rms;
using testutil::Sine;
using testutil::TempDir;

// A WAV of `ms` milliseconds of a sine, the same on every channel.
void WriteSineWav(const std::string& path, double hz, int rate, int channels, int ms) {
  const size_t frames = static_cast<size_t>(rate) * ms / 1000;
  std::vector<int16_t> mono = Sine(hz, rate, frames);
  std::vector<int16_t> interleaved;
  for (int16_t v : mono) interleaved.insert(interleaved.end(), channels, v);
  auto wav = WavWriter::Create(path, rate, channels);
  REQUIRE(wav.ok());
  REQUIRE((*wav)->write(interleaved.data(), frames).ok());
  REQUIRE((*wav)->close().ok());
}

// Everything a player plays, frame by frame, until it says it is done.
std::vector<int16_t> PlayAll(Player& player, int* frames) {
  std::vector<int16_t> out;
  AudioFrame frame;
  *frames = 0;
  while (player.tick(frame)) {
    out.insert(out.end(), frame.samples.begin(), frame.samples.end());
    ++*frames;
    REQUIRE(*frames < 10000);
  }
  return out;
}

TEST_CASE("Files at any rate and channel count play at 16 kHz with their pitch and length") {
  TempDir dir;
  REQUIRE(dir.ok());
  PromptCache cache;
  constexpr int kMs = 750;
  constexpr double kHz = 1000;
  for (int rate : {8000, 16000, 44100, 48000}) {
    for (int channels : {1, 2}) {
      CAPTURE(rate);
      CAPTURE(channels);
      const std::string path = dir.file(std::to_string(rate) + "-" + std::to_string(channels));
      WriteSineWav(path, kHz, rate, channels, kMs);
      auto prompt = cache.load(path);
      REQUIRE(prompt.ok());
      CHECK((*prompt)->name == path);
      CHECK((*prompt)->samples.size() == kGraphRate * kMs / 1000);
      CHECK((*prompt)->duration() == std::chrono::milliseconds(kMs));

      Player player;
      PlaylistItem items[] = {PlaylistItem::Play(*prompt)};
      REQUIRE(player.start(items).ok());
      int frames = 0;
      std::vector<int16_t> out = PlayAll(player, &frames);
      CHECK(player.finished());
      // 37.5 frames of audio: 38 ticks, the last one half silence.
      const int playedMs = frames * 20;
      CHECK(playedMs >= kMs);
      CHECK(playedMs < kMs + 20);
      out.resize(kGraphRate * kMs / 1000);
      CHECK(Frequency(out, kGraphRate) == doctest::Approx(kHz).epsilon(0.02));
      CHECK(Rms(out) == doctest::Approx(10000 / std::sqrt(2.0)).epsilon(0.05));
    }
  }
}

TEST_CASE("A cached prompt is decoded once and shared") {
  TempDir dir;
  REQUIRE(dir.ok());
  WriteSineWav(dir.file("a.wav"), 500, 8000, 1, 200);
  PromptCache cache;
  CHECK(cache.find(dir.file("a.wav")) == nullptr);
  std::vector<PromptPtr> got(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < got.size(); ++i) {
    threads.emplace_back([&, i] { got[i] = *cache.load(dir.file("a.wav")); });
  }
  for (auto& t : threads) t.join();
  for (const PromptPtr& p : got) CHECK(p == got[0]);
  CHECK(cache.find(dir.file("a.wav")) == got[0]);
  PromptCache::Stats stats = cache.stats();
  CHECK(stats.misses == 1);
  CHECK(stats.hits == 4);
  CHECK(stats.prompts == 1);
  CHECK(stats.bytes == got[0]->bytes());
}

TEST_CASE("Load errors are reported and not cached") {
  TempDir dir;
  REQUIRE(dir.ok());
  PromptCache cache;
  CHECK(cache.load(dir.file("later.wav")).status().code() == absl::StatusCode::kNotFound);
  WriteSineWav(dir.file("later.wav"), 500, 16000, 1, 100);
  CHECK(cache.load(dir.file("later.wav")).ok());
}

TEST_CASE("The cache forgets the least recently used prompt past its byte bound") {
  TempDir dir;
  REQUIRE(dir.ok());
  for (const char* name : {"a", "b", "c"}) WriteSineWav(dir.file(name), 500, 16000, 1, 500);
  const size_t promptBytes = 8000 * sizeof(int16_t);
  PromptCache cache({.maxBytes = 2 * promptBytes + 100});
  PromptPtr a = *cache.load(dir.file("a"));
  PromptPtr b = *cache.load(dir.file("b"));
  CHECK(cache.find(dir.file("a")) == a);  // a is now more recent than b
  PromptPtr c = *cache.load(dir.file("c"));
  CHECK(cache.find(dir.file("b")) == nullptr);
  CHECK(cache.find(dir.file("a")) == a);
  CHECK(cache.find(dir.file("c")) == c);
  CHECK(cache.stats().evictions == 1);
  CHECK(cache.stats().bytes == 2 * promptBytes);
  // Whoever held the evicted prompt still plays it.
  CHECK(b->samples.size() == 8000);
  CHECK(Frequency(b->samples, kGraphRate) == doctest::Approx(500).epsilon(0.01));

  // Too big to keep at all: returned, not cached, nothing evicted for it.
  PromptCache tiny({.maxBytes = promptBytes / 2});
  auto big = tiny.load(dir.file("a"));
  REQUIRE(big.ok());
  CHECK((*big)->samples.size() == 8000);
  CHECK(tiny.find(dir.file("a")) == nullptr);
  CHECK(tiny.stats().bytes == 0);

  cache.erase(dir.file("a"));
  CHECK(cache.find(dir.file("a")) == nullptr);
  cache.clear();
  CHECK(cache.stats().prompts == 0);
  CHECK(cache.stats().bytes == 0);
}

}  // namespace
}  // namespace pbx::media::internal
