#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "lib/spandsp/dtmf_detector.h"
#include "lib/spandsp/dtmf_generator.h"
#include "tests/unit/media/dtmf/signal.h"

namespace pbx::media::internal {
namespace {

using std::chrono::milliseconds;
using testutil::ToneAmplitude;

const std::string kAllKeys = "0123456789*#ABCD";

struct Detected {
  std::string digits;
  std::string started;
  std::vector<DtmfDigit> details;

  void collect(const DtmfEvents& events) {
    if (events.started) started += *events.started;
    for (const DtmfDigit& digit : events.completed()) {
      digits += digit.digit;
      details.push_back(digit);
    }
  }
};

// Plays what is queued on `generator` into `detector` frame by frame (plus half a second of
// silence), optionally through G.711-like companding.
Detected PlayInto(DtmfGenerator& generator, DtmfDetector& detector, bool companded = false) {
  Detected detected;
  for (int frame = 0, idle = 0; idle < 25 && frame < 100000; ++frame) {
    AudioFrame audio;
    if (!generator.fill(audio)) ++idle;
    if (companded) {
      for (int16_t& sample : audio.samples) sample = testutil::MuLawRoundTrip(sample);
    }
    detected.collect(detector.process(audio));
  }
  return detected;
}

TEST_CASE("in-band DTMF: generator to detector, all 16 keys at 16 kHz") {
  for (bool companded : {false, true}) {
    CAPTURE(companded);
    auto generator = DtmfGenerator::Create();
    auto detector = DtmfDetector::Create();
    REQUIRE(generator.ok());
    REQUIRE(detector.ok());
    for (char key : kAllKeys) REQUIRE((*generator)->send(key).ok());
    Detected detected = PlayInto(**generator, **detector, companded);
    CHECK(detected.digits == kAllKeys);
    CHECK(detected.started == kAllKeys);
    for (const DtmfDigit& digit : detected.details) {
      CHECK(digit.duration >= milliseconds(80));
      CHECK(digit.duration <= milliseconds(120));
      CHECK(digit.volume >= 5);  // -10 dBm0 low tone, -8 dBm0 high tone
      CHECK(digit.volume <= 12);
    }
  }
}

TEST_CASE("in-band DTMF: the generator writes the key's two frequencies") {
  auto generator = DtmfGenerator::Create();
  REQUIRE((*generator)->send('5', milliseconds(200)).ok());
  std::vector<int16_t> samples;
  for (int i = 0; i < 6; ++i) {
    AudioFrame frame;
    CHECK((*generator)->fill(frame));
    samples.insert(samples.end(), frame.samples.begin(), frame.samples.end());
  }
  // 100 ms from the second frame on: 10 Hz resolution, past the resampler's start.
  const int16_t* window = samples.data() + kFrameSamples;
  const size_t length = kGraphRate / 10;
  const double low = ToneAmplitude(window, length, 770, kGraphRate);
  const double high = ToneAmplitude(window, length, 1336, kGraphRate);
  CHECK(low > 5000);  // -10 dBm0 is about 7300 peak
  CHECK(high > low);  // 2 dB twist
  CHECK(high < low * 1.5);
  for (double other : {697.0, 852.0, 941.0, 1209.0, 1477.0, 1633.0}) {
    CAPTURE(other);
    CHECK(ToneAmplitude(window, length, other, kGraphRate) < low / 20);
  }
  CHECK((*generator)->active());
}

TEST_CASE("in-band DTMF: press and gap timing, then the leg's audio is left alone") {
  auto generator = DtmfGenerator::Create();
  REQUIRE((*generator)->send('1', milliseconds(100), milliseconds(60)).ok());
  int activeFrames = 0;
  std::vector<int16_t> samples;
  for (int i = 0; i < 30; ++i) {
    AudioFrame frame;
    frame.samples.fill(123);  // the leg's own audio
    if ((*generator)->fill(frame)) {
      ++activeFrames;
      samples.insert(samples.end(), frame.samples.begin(), frame.samples.end());
    } else {
      CHECK(frame.samples[0] == 123);
    }
  }
  CHECK(activeFrames == 8);  // 100 ms tone and 60 ms gap
  // The tone's first and last loud samples: 100 ms apart.
  const auto loud = [](int16_t x) { return x > 2000 || x < -2000; };
  const auto first = std::find_if(samples.begin(), samples.end(), loud);
  const auto last = std::find_if(samples.rbegin(), samples.rend(), loud);
  REQUIRE(first != samples.end());
  const auto toneSamples = std::distance(first, last.base());
  CHECK(toneSamples > 1560);
  CHECK(toneSamples <= 1600);
  CHECK(std::distance(samples.begin(), first) < 80);  // starts within 5 ms
  CHECK_FALSE((*generator)->active());
  CHECK((*generator)->send('x').code() == absl::StatusCode::kInvalidArgument);
  CHECK((*generator)->send('1', milliseconds(100), milliseconds(100), 3).code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("in-band DTMF: a 2 s press is one digit") {
  auto generator = DtmfGenerator::Create();
  auto detector = DtmfDetector::Create();
  REQUIRE((*generator)->send('#', milliseconds(2000)).ok());
  REQUIRE((*generator)->send('#', milliseconds(100)).ok());
  Detected detected = PlayInto(**generator, **detector);
  CHECK(detected.digits == "##");
  REQUIRE(detected.details.size() == 2);
  CHECK(detected.details[0].duration >= milliseconds(1980));
  CHECK(detected.details[0].duration <= milliseconds(2020));
}

TEST_CASE("in-band DTMF: no false digits on tones or speech-like noise") {
  auto detector = DtmfDetector::Create();
  Detected detected;
  size_t position = 0;
  // 10 s of 440 Hz, then 10 s of dial tone (350 + 440 Hz), at -10 dBm0-ish.
  for (int frame = 0; frame < 1000; ++frame, position += kFrameSamples) {
    AudioFrame audio;
    testutil::AddSine(audio.data(), kFrameSamples, 440, 7000, kGraphRate, position);
    if (frame >= 500)
      testutil::AddSine(audio.data(), kFrameSamples, 350, 7000, kGraphRate, position);
    detected.collect((*detector)->process(audio));
  }
  // 10 s of speech-like noise.
  testutil::SpeechLikeNoise noise;
  for (int frame = 0; frame < 500; ++frame) {
    AudioFrame audio;
    noise.fill(audio.data(), kFrameSamples, kGraphRate);
    detected.collect((*detector)->process(audio));
  }
  CHECK(detected.digits.empty());
  CHECK(detected.started.empty());

  // The detector still works after all that.
  auto generator = DtmfGenerator::Create();
  REQUIRE((*generator)->send('8').ok());
  CHECK(PlayInto(**generator, **detector).digits == "8");
}

}  // namespace
}  // namespace pbx::media::internal
