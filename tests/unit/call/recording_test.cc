// Recording a transcoded call on simulated time: each party's audio lands on the expected
// channel of a stereo file and both in a mixed one, and a recording that cannot be written
// fails with an event while the call goes on.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "lib/media/audio/sound_file.h"
#include "tests/unit/call/fixture.h"
#include "tests/unit/media/signal_test_util.h"

using namespace std::chrono_literals;
using namespace pbx::test;
using pbx::call::CallEventType;

namespace {

struct RecordedCall : TwoPhones {
  RecordedCall() {
    for (auto* phone : {&alice, &bob}) phone->options().audio = true;
    alice.options().codecs = {"opus"};
    bob.options().codecs = {"PCMU"};
    auto [o, i] = answeredCall();
    o->playTone(1000);  // Alice, the caller
    i->playTone(440);   // Bob
    call = ListCalls(pbx).at(0).id;
  }
  ~RecordedCall() { std::filesystem::remove_all(dir); }

  uint64_t record(pbx::media::RecordingMode mode, const std::string& path) {
    std::optional<absl::StatusOr<uint64_t>> id;
    pbx.calls().startRecording(call, {path, mode, {}}, [&](auto got) { id = got; });
    pbx.runPending();
    REQUIRE(id.has_value());
    REQUIRE(id->ok());
    return **id;
  }
  // Records 2 s in `mode` and reads the file back once the writer closed it.
  pbx::media::internal::SoundFileContents recordFor2s(pbx::media::RecordingMode mode,
                                                      const std::string& name) {
    const std::string path = dir + "/" + name;
    uint64_t id = record(mode, path);
    pbx.advance(2s);
    pbx.calls().stopRecording(call, id);
    pbx.runPending();
    REQUIRE(waitFor(CallEventType::kRecordingStopped));
    auto file = pbx::media::internal::ReadSoundFileChannels(path);
    REQUIRE(file.ok());
    return std::move(*file);
  }
  // The writer thread closes the file and reports back: runs the loop until it has.
  bool waitFor(CallEventType type) {
    for (int i = 0; i < 500 && !recorder.saw(type); ++i) {
      std::this_thread::sleep_for(10ms);
      pbx.runPending();
    }
    return recorder.saw(type);
  }

  std::string dir =
      std::filesystem::temp_directory_path() / ("pbx-recording-" + std::to_string(getpid()));
  pbx::CallId call;
  EventRecorder recorder{pbx.calls()};
  bool made = std::filesystem::create_directories(dir);
};

double Frequency(const std::vector<int16_t>& samples, int rate) {
  return pbx::media::testutil::ZeroCrossingFrequency(samples.data() + rate / 5,
                                                     samples.size() - rate / 5, rate);
}

}  // namespace

TEST_CASE("a stereo recording of a transcoded call has the caller left and the callee right") {
  RecordedCall t;
  auto file = t.recordFor2s(pbx::media::RecordingMode::kStereo, "stereo.wav");
  REQUIRE(file.channels == 2);
  CHECK(file.frames() >= static_cast<size_t>(file.rate) * 3 / 2);
  std::vector<int16_t> left, right;
  for (size_t i = 0; i < file.frames(); ++i) {
    left.push_back(file.interleaved[2 * i]);
    right.push_back(file.interleaved[2 * i + 1]);
  }
  CHECK(Frequency(left, file.rate) == doctest::Approx(1000).epsilon(0.02));
  CHECK(Frequency(right, file.rate) == doctest::Approx(440).epsilon(0.02));
}

TEST_CASE("a mixed recording holds both parties in one channel") {
  RecordedCall t;
  auto file = t.recordFor2s(pbx::media::RecordingMode::kMixed, "mixed.wav");
  REQUIRE(file.channels == 1);
  const auto& s = file.interleaved;
  const size_t skip = static_cast<size_t>(file.rate) / 5;
  using pbx::media::testutil::GoertzelPower;
  const double at1000 = GoertzelPower(s.data() + skip, s.size() - skip, file.rate, 1000);
  const double at440 = GoertzelPower(s.data() + skip, s.size() - skip, file.rate, 440);
  const double at700 = GoertzelPower(s.data() + skip, s.size() - skip, file.rate, 700);
  CHECK(at1000 > 100 * at700);
  CHECK(at440 > 100 * at700);
}

TEST_CASE("a recording to an unwritable path fails with an event and the call goes on") {
  RecordedCall t;
  t.record(pbx::media::RecordingMode::kStereo, "/nonexistent-dir/x/call.wav");
  REQUIRE(t.waitFor(CallEventType::kRecordingFailed));
  CHECK(t.recorder.last(CallEventType::kRecordingFailed)->detail.find("/nonexistent-dir") == 0);
  t.pbx.advance(1s);
  auto calls = ListCalls(t.pbx);
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].state == pbx::call::CallState::kAnswered);
  auto* bob = t.bob.calls().back().get();
  CHECK(bob->receivedFrequency() == doctest::Approx(1000).epsilon(0.02));
}

TEST_CASE("a recording running when the call ends is stopped, its file complete") {
  RecordedCall t;
  const std::string path = t.dir + "/ended.wav";
  t.record(pbx::media::RecordingMode::kStereo, path);
  t.pbx.advance(1s);
  t.alice.calls().back()->hangup();
  t.pbx.runPending();
  CHECK(t.recorder.saw(CallEventType::kRecordingStopped));
  absl::StatusOr<pbx::media::internal::SoundFileContents> file;
  for (int i = 0; i < 300; ++i) {  // the writer thread closes it
    file = pbx::media::internal::ReadSoundFileChannels(path);
    if (file.ok() && file->frames() > 0) break;
    std::this_thread::sleep_for(10ms);
  }
  REQUIRE(file.ok());
  CHECK(file->frames() >= static_cast<size_t>(file->rate) / 2);
}
