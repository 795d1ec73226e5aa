#include "lib/media/audio/recorder.h"

#include <doctest/doctest.h>

#include <chrono>
#include <future>
#include <memory>
#include <vector>

#include "lib/media/audio/sound_file.h"
#include "tests/unit/media/audio/signal.h"
#include "tests/unit/media/audio/temp_dir.h"

namespace pbx::media::internal {
namespace {

using namespace std::chrono_literals;
using testutil::Channel;
using testutil::Frequency;
using testutil::Rms;
using testutil::SineFrame;
using testutil::TempDir;
using testutil::TonePower;

constexpr double kReceivedHz = 500;
constexpr double kSentHz = 1300;

// The completion callback's result, awaited by the test.
struct Completion {
  std::promise<absl::Status> promise;
  std::future<absl::Status> future = promise.get_future();
  int calls = 0;

  Recorder::CompletionCallback callback() {
    return [this](absl::Status status) {
      ++calls;
      promise.set_value(std::move(status));
    };
  }
  // The wait bounds a hang (a lost callback), it does not measure speed.
  absl::Status wait() {
    REQUIRE(future.wait_for(60s) == std::future_status::ready);
    return future.get();
  }
};

void WriteTicks(Recorder& recorder, int from, int to) {
  for (int i = from; i < to; ++i) {
    AudioFrame received = SineFrame(kReceivedHz, i);
    AudioFrame sent = SineFrame(kSentHz, i);
    recorder.write(&received, &sent);
  }
}

TEST_CASE("Each recording mode puts the two directions where it says") {
  TempDir dir;
  REQUIRE(dir.ok());
  RecordingWriter writer;
  for (RecordingMode mode : {RecordingMode::kMixed, RecordingMode::kStereo,
                             RecordingMode::kReceiveOnly, RecordingMode::kTransmitOnly}) {
    CAPTURE(static_cast<int>(mode));
    const std::string path = dir.file("mode" + std::to_string(static_cast<int>(mode)) + ".wav");
    Completion done;
    auto recorder = Recorder::Create(writer, path, {.mode = mode}, done.callback());
    REQUIRE(recorder.ok());
    WriteTicks(**recorder, 0, 50);  // 1 s
    (*recorder)->stop();
    CHECK(done.wait().ok());
    CHECK((*recorder)->stats().recorded == 1000ms);
    CHECK((*recorder)->stats().finished);
    CHECK((*recorder)->stats().framesDropped == 0);

    auto file = ReadSoundFileChannels(path);
    REQUIRE(file.ok());
    CHECK(file->rate == kGraphRate);
    REQUIRE(file->frames() == 16000);
    if (mode == RecordingMode::kStereo) {
      REQUIRE(file->channels == 2);
      std::vector<int16_t> left = Channel(file->interleaved, 2, 0);
      std::vector<int16_t> right = Channel(file->interleaved, 2, 1);
      CHECK(Frequency(left, kGraphRate) == doctest::Approx(kReceivedHz).epsilon(0.01));
      CHECK(Frequency(right, kGraphRate) == doctest::Approx(kSentHz).epsilon(0.01));
      continue;
    }
    REQUIRE(file->channels == 1);
    const std::vector<int16_t>& mono = file->interleaved;
    const double received = TonePower(mono, kReceivedHz, kGraphRate);
    const double sent = TonePower(mono, kSentHz, kGraphRate);
    const double full = 5000.0 * 5000.0;  // (amplitude / 2)^2
    if (mode == RecordingMode::kMixed) {
      CHECK(received == doctest::Approx(full).epsilon(0.05));
      CHECK(sent == doctest::Approx(full).epsilon(0.05));
    } else if (mode == RecordingMode::kReceiveOnly) {
      CHECK(Frequency(mono, kGraphRate) == doctest::Approx(kReceivedHz).epsilon(0.01));
      CHECK(sent < full * 1e-4);
    } else {
      CHECK(Frequency(mono, kGraphRate) == doctest::Approx(kSentHz).epsilon(0.01));
      CHECK(received < full * 1e-4);
    }
  }
  CHECK(writer.recordings() == 0);
}

TEST_CASE("A null direction records silence on its side") {
  TempDir dir;
  REQUIRE(dir.ok());
  RecordingWriter writer;
  Completion done;
  auto recorder = Recorder::Create(writer, dir.file("half.wav"), {.mode = RecordingMode::kStereo},
                                   done.callback());
  REQUIRE(recorder.ok());
  for (int i = 0; i < 10; ++i) {
    AudioFrame sent = SineFrame(kSentHz, i);
    (*recorder)->write(nullptr, &sent);
  }
  (*recorder)->stop();
  CHECK(done.wait().ok());
  auto file = ReadSoundFileChannels(dir.file("half.wav"));
  REQUIRE(file.ok());
  REQUIRE(file->frames() == 3200);
  CHECK(Rms(Channel(file->interleaved, 2, 0)) == 0);
  CHECK(Rms(Channel(file->interleaved, 2, 1)) > 5000);
}

TEST_CASE("Paused ticks are left out of the file") {
  TempDir dir;
  REQUIRE(dir.ok());
  RecordingWriter writer;
  Completion done;
  auto recorder = Recorder::Create(writer, dir.file("paused.wav"),
                                   {.mode = RecordingMode::kReceiveOnly}, done.callback());
  REQUIRE(recorder.ok());
  Recorder& r = **recorder;
  WriteTicks(r, 0, 10);
  r.pause();
  CHECK(r.paused());
  WriteTicks(r, 10, 25);
  r.resume();
  WriteTicks(r, 25, 35);
  r.stop();
  CHECK(done.wait().ok());
  CHECK(r.stats().recorded == 400ms);
  auto file = ReadSoundFile(dir.file("paused.wav"));
  REQUIRE(file.ok());
  CHECK(file->samples.size() == 20 * kFrameSamples);
  WriteTicks(r, 35, 40);  // after stop: ignored
  CHECK(r.stats().recorded == 400ms);
}

TEST_CASE("A path that cannot be written fails at Create and never calls back") {
  TempDir dir;
  REQUIRE(dir.ok());
  RecordingWriter writer;
  Completion done;
  auto missing = Recorder::Create(writer, dir.file("none/x.wav"), {}, done.callback());
  CHECK(missing.status().code() == absl::StatusCode::kNotFound);
  auto full = Recorder::Create(writer, "/dev/full", {}, done.callback());
  CHECK(full.status().code() == absl::StatusCode::kResourceExhausted);
  CHECK(Recorder::Create(writer, dir.file("y.wav"), {.queueFrames = 0}, nullptr).status().code() ==
        absl::StatusCode::kInvalidArgument);
  writer.stop();
  CHECK(done.calls == 0);
  CHECK(writer.recordings() == 0);
}

TEST_CASE("A write error mid-recording fails the recorder and reports through the callback") {
  TempDir dir;
  REQUIRE(dir.ok());
  RecordingWriter writer;
  Completion done;
  // The file size limit takes the path a full disk takes: a short write, then the error.
  auto recorder = Recorder::Create(
      writer, dir.file("limit.wav"),
      {.mode = RecordingMode::kMixed, .queueFrames = 200, .maxFileBytes = 44 + 16000},
      done.callback());
  REQUIRE(recorder.ok());
  WriteTicks(**recorder, 0, 100);  // 2 s: 64000 bytes, four times the limit
  absl::Status status = done.wait();
  CHECK(status.code() == absl::StatusCode::kResourceExhausted);
  CHECK((*recorder)->failed());
  CHECK((*recorder)->stats().failed);
  CHECK((*recorder)->stats().recorded <= 500ms);
  WriteTicks(**recorder, 100, 110);  // ignored
  (*recorder)->stop();
  CHECK(done.calls == 1);
  auto file = ReadSoundFile(dir.file("limit.wav"));
  REQUIRE(file.ok());
  CHECK(file->samples.size() <= 8000);
}

TEST_CASE("A full queue drops frames and counts them, never blocking") {
  TempDir dir;
  REQUIRE(dir.ok());
  // The writer only runs when a recorder stops: the ring fills deterministically.
  RecordingWriter writer({.pollInterval = std::chrono::hours(1)});
  Completion done;
  auto recorder =
      Recorder::Create(writer, dir.file("drops.wav"),
                       {.mode = RecordingMode::kStereo, .queueFrames = 4}, done.callback());
  REQUIRE(recorder.ok());
  WriteTicks(**recorder, 0, 10);
  CHECK((*recorder)->stats().framesDropped == 6);
  (*recorder)->stop();
  CHECK(done.wait().ok());
  CHECK((*recorder)->stats().recorded == 80ms);
  auto file = ReadSoundFileChannels(dir.file("drops.wav"));
  REQUIRE(file.ok());
  CHECK(file->frames() == 4 * kFrameSamples);
}

TEST_CASE("Stopping the writer completes the recordings still open") {
  TempDir dir;
  REQUIRE(dir.ok());
  auto writer = std::make_unique<RecordingWriter>();
  Completion done;
  auto recorder = Recorder::Create(*writer, dir.file("open.wav"),
                                   {.mode = RecordingMode::kTransmitOnly}, done.callback());
  REQUIRE(recorder.ok());
  WriteTicks(**recorder, 0, 5);
  writer->stop();
  CHECK(done.calls == 1);
  CHECK(done.wait().ok());
  CHECK((*recorder)->stats().finished);
  WriteTicks(**recorder, 5, 10);  // ignored
  auto file = ReadSoundFile(dir.file("open.wav"));
  REQUIRE(file.ok());
  CHECK(file->samples.size() == 5 * kFrameSamples);
  CHECK(Recorder::Create(*writer, dir.file("late.wav"), {}, nullptr).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  recorder->reset();
}

}  // namespace
}  // namespace pbx::media::internal
