#include "lib/media/audio/sound_file.h"

#include <doctest/doctest.h>

#include <fstream>
#include <vector>

#include "tests/unit/media/audio/signal.h"
#include "tests/unit/media/audio/temp_dir.h"

namespace pbx::media::internal {
namespace {

using testutil::Channel;
using testutil::Frequency;
using testutil::Rms;
using testutil::Sine;
using testutil::TempDir;

TEST_CASE("A stereo WAV reads back with its channels apart, and downmixed to their average") {
  TempDir dir;
  REQUIRE(dir.ok());
  const std::string path = dir.file("stereo.wav");
  std::vector<int16_t> left = Sine(700, 44100, 44100);
  std::vector<int16_t> interleaved;
  for (int16_t v : left) {
    interleaved.push_back(v);
    interleaved.push_back(0);  // a silent right channel halves the downmix
  }
  auto wav = WavWriter::Create(path, 44100, 2);
  REQUIRE(wav.ok());
  REQUIRE((*wav)->write(interleaved.data(), left.size()).ok());
  REQUIRE((*wav)->close().ok());
  CHECK((*wav)->framesWritten() == 44100);

  auto contents = ReadSoundFileChannels(path);
  REQUIRE(contents.ok());
  CHECK(contents->rate == 44100);
  CHECK(contents->channels == 2);
  REQUIRE(contents->frames() == 44100);
  CHECK(Channel(contents->interleaved, 2, 0) == left);
  CHECK(Rms(Channel(contents->interleaved, 2, 1)) == 0);

  auto mono = ReadSoundFile(path);
  REQUIRE(mono.ok());
  CHECK(mono->rate == 44100);
  REQUIRE(mono->samples.size() == 44100);
  CHECK(Frequency(mono->samples, 44100) == doctest::Approx(700).epsilon(0.005));
  CHECK(Rms(mono->samples) == doctest::Approx(Rms(left) / 2).epsilon(0.01));
}

TEST_CASE("Reading a missing or malformed file is an error") {
  TempDir dir;
  REQUIRE(dir.ok());
  CHECK(ReadSoundFile(dir.file("absent.wav")).status().code() == absl::StatusCode::kNotFound);
  std::ofstream(dir.file("junk.wav")) << "RIFF....WAVEfmt this is not audio";
  CHECK(ReadSoundFile(dir.file("junk.wav")).status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("WavWriter fails at Create for a path it cannot write") {
  TempDir dir;
  REQUIRE(dir.ok());
  auto missingDir = WavWriter::Create(dir.file("no/such/dir.wav"), 16000, 1);
  CHECK(missingDir.status().code() == absl::StatusCode::kNotFound);
  // The header write meets ENOSPC.
  auto full = WavWriter::Create("/dev/full", 16000, 1);
  CHECK(full.status().code() == absl::StatusCode::kResourceExhausted);
  CHECK(WavWriter::Create(dir.file("x.wav"), 16000, 0).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("WavWriter stops at its size limit with an error, leaving a readable file") {
  TempDir dir;
  REQUIRE(dir.ok());
  const std::string path = dir.file("limited.wav");
  auto wav = WavWriter::Create(path, 16000, 1, {.maxBytes = 10000});
  REQUIRE(wav.ok());
  std::vector<int16_t> second = Sine(1000, 16000, 16000);
  absl::Status status = (*wav)->write(second.data(), second.size());
  CHECK(status.code() == absl::StatusCode::kResourceExhausted);
  CHECK((*wav)->write(second.data(), 10).code() == absl::StatusCode::kResourceExhausted);
  CHECK((*wav)->close().code() == absl::StatusCode::kResourceExhausted);

  auto back = ReadSoundFile(path);
  REQUIRE(back.ok());
  CHECK(back->samples.size() > 4000);
  CHECK(back->samples.size() < 5000);
  CHECK(std::equal(back->samples.begin(), back->samples.end(), second.begin()));
}

}  // namespace
}  // namespace pbx::media::internal
