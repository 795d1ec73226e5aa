// Each codec carries a tone through encoder and decoder at the right frequency and level, in
// payloads of the size its RTP profile expects.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "lib/media/codec/audio_codec.h"
#include "tests/unit/media/signal_test_util.h"

namespace pbx::media::internal {
namespace {

using testutil::DominantFrequency;
using testutil::RmsDb;
using testutil::SineGenerator;
using testutil::ZeroCrossingFrequency;

constexpr int kFrames = 50;     // 1 s
constexpr int kSkipFrames = 5;  // 100 ms: resampler and codec delay, Opus' start-up
constexpr double kAmplitude = 10000.0;

struct RoundTrip {
  std::vector<int16_t> input;    // what was encoded, after the skipped frames
  std::vector<int16_t> decoded;  // what came out, after the skipped frames
  std::vector<size_t> payloadSizes;
  uint32_t timestampStep = 0;
};

RoundTrip EncodeDecode(const CodecParams& params, double frequency) {
  RoundTrip result;
  auto encoder = CreateEncoder(params);
  auto decoder = CreateDecoder(params);
  REQUIRE(encoder.ok());
  REQUIRE(decoder.ok());
  result.timestampStep = (*encoder)->timestampStep();
  SineGenerator sine(frequency, kAmplitude, kGraphRate);
  for (int i = 0; i < kFrames; ++i) {
    AudioFrame frame;
    sine.fill(frame.data(), kFrameSamples);
    uint8_t payload[kMaxPayloadBytes];
    size_t bytes = (*encoder)->encode(frame, payload, sizeof payload);
    REQUIRE(bytes > 0);
    result.payloadSizes.push_back(bytes);
    int16_t pcm[kMaxDecodedSamples];
    int samples = (*decoder)->decode(payload, bytes, pcm, kMaxDecodedSamples);
    REQUIRE(samples == static_cast<int>(kFrameSamples));
    if (i >= kSkipFrames) {
      result.input.insert(result.input.end(), frame.samples.begin(), frame.samples.end());
      result.decoded.insert(result.decoded.end(), pcm, pcm + samples);
    }
  }
  return result;
}

void CheckTone(const std::string& codec, double frequency) {
  CAPTURE(codec);
  CAPTURE(frequency);
  RoundTrip trip = EncodeDecode(CodecParams{.name = codec}, frequency);
  const int16_t* out = trip.decoded.data();
  size_t count = trip.decoded.size();
  CHECK(std::abs(DominantFrequency(out, count, kGraphRate) - frequency) < frequency * 0.02);
  CHECK(std::abs(ZeroCrossingFrequency(out, count, kGraphRate) - frequency) < frequency * 0.02);
  double inDb = RmsDb(trip.input.data(), trip.input.size());
  double outDb = RmsDb(out, count);
  CAPTURE(inDb);
  CAPTURE(outDb);
  CHECK(std::abs(outDb - inDb) < 3.0);
  // Most of what comes out is the tone, not codec noise or distortion.
  CHECK(testutil::GoertzelPower(out, count, kGraphRate, frequency) >
        0.8 * testutil::Energy(out, count));
}

TEST_CASE("every codec carries a 1 kHz and a 440 Hz tone at their frequency and level") {
  for (const char* codec : {"PCMU", "PCMA", "G722", "opus"}) {
    CheckTone(codec, 1000.0);
    CheckTone(codec, 440.0);
  }
}

TEST_CASE("G.711 and G.722 send 160 bytes per 20 ms and step RTP time by 160") {
  for (std::string codec : {"PCMU", "PCMA", "G722"}) {
    CAPTURE(codec);
    RoundTrip trip = EncodeDecode(CodecParams{.name = codec}, 1000.0);
    CHECK(trip.timestampStep == 160);
    for (size_t bytes : trip.payloadSizes) CHECK(bytes == 160);
  }
}

TEST_CASE("Opus sends small packets at default settings and steps RTP time by 960") {
  RoundTrip trip = EncodeDecode(CodecParams{.name = "opus"}, 440.0);
  CHECK(trip.timestampStep == 960);
  for (size_t bytes : trip.payloadSizes) {
    CHECK(bytes > 0);
    CHECK(bytes < 200);
  }
}

TEST_CASE("Opus follows the negotiated bitrate") {
  auto averageBytes = [](int bitrate) {
    RoundTrip trip =
        EncodeDecode(CodecParams{.name = "opus", .opusMaxAverageBitrate = bitrate}, 1000.0);
    double total = 0;
    for (size_t bytes : trip.payloadSizes) total += static_cast<double>(bytes);
    return total / static_cast<double>(trip.payloadSizes.size());
  };
  double low = averageBytes(12000);   // 30 bytes per 20 ms
  double high = averageBytes(64000);  // 160 bytes per 20 ms
  CAPTURE(low);
  CAPTURE(high);
  CHECK(low < 45.0);
  CHECK(high > 2.0 * low);
}

TEST_CASE("Opus with DTX stops sending during silence") {
  auto encoder = CreateEncoder(CodecParams{.name = "opus", .opusDtx = true});
  REQUIRE(encoder.ok());
  AudioFrame silence;
  int sent = 0;
  for (int i = 0; i < 50; ++i) {
    uint8_t payload[kMaxPayloadBytes];
    if ((*encoder)->encode(silence, payload, sizeof payload) > 0) ++sent;
  }
  CHECK(sent < 25);  // libopus still sends a refresh frame now and then
}

TEST_CASE("Opus decodes packets of other durations, up to 120 ms") {
  auto encoder = CreateEncoder(CodecParams{.name = "opus"});
  auto decoder = CreateDecoder(CodecParams{.name = "opus"});
  REQUIRE(encoder.ok());
  REQUIRE(decoder.ok());
  // A 20 ms packet decodes to 320 samples; the decoder sizes its output from the packet, so a
  // packet built from several frames (RFC 6716 code 3, here hand-assembled) gives more.
  AudioFrame frame;
  SineGenerator(440.0, kAmplitude, kGraphRate).fill(frame.data(), kFrameSamples);
  uint8_t payload[kMaxPayloadBytes];
  size_t bytes = (*encoder)->encode(frame, payload, sizeof payload);
  REQUIRE(bytes > 1);
  // Code 3, CBR: the TOC byte with its frame-count code set to 3, then a count byte, then the
  // same frame data repeated (each frame has the same size). Six 20 ms frames make 120 ms.
  std::vector<uint8_t> multi;
  multi.push_back(static_cast<uint8_t>(payload[0] | 0x03));
  multi.push_back(6);
  // The encoder's own packet must be a single frame (code 0) for this to be valid.
  REQUIRE((payload[0] & 0x03) == 0);
  for (int i = 0; i < 6; ++i) multi.insert(multi.end(), payload + 1, payload + bytes);
  int16_t pcm[kMaxDecodedSamples];
  CHECK((*decoder)->decode(multi.data(), multi.size(), pcm, kMaxDecodedSamples) ==
        static_cast<int>(kMaxDecodedSamples));
  // Too little room for 120 ms is a packet it cannot decode, not an overrun.
  CHECK((*decoder)->decode(multi.data(), multi.size(), pcm, kFrameSamples) == -1);
}

TEST_CASE("unknown codec names are InvalidArgument; known ones are case-insensitive") {
  CHECK(CreateEncoder(CodecParams{.name = "G729"}).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(CreateDecoder(CodecParams{.name = ""}).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(CreateEncoder(CodecParams{.name = "pcmu"}).ok());
  CHECK(CreateDecoder(CodecParams{.name = "OPUS"}).ok());
  CHECK(CreateDecoder(CodecParams{.name = "g722"}).ok());
}

}  // namespace
}  // namespace pbx::media::internal
