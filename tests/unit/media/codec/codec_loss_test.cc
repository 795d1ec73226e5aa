// Lost and damaged packets: concealment continues the signal and then fades to silence, and no
// payload a network can deliver (random, truncated, empty, oversized) makes a decoder crash or
// write past its buffer.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "lib/media/codec/audio_codec.h"
#include "tests/unit/media/signal_test_util.h"

namespace pbx::media::internal {
namespace {

using testutil::Energy;
using testutil::SineGenerator;

constexpr const char* kCodecs[] = {"PCMU", "PCMA", "G722", "opus"};
// A voice-like pitch: inside the range spandsp's PLC searches at 8 and 16 kHz.
constexpr double kToneHz = 250.0;
constexpr double kAmplitude = 10000.0;

TEST_CASE("concealment continues the tone, then fades to silence over consecutive losses") {
  for (std::string codec : kCodecs) {
    CAPTURE(codec);
    auto encoder = CreateEncoder(CodecParams{.name = codec});
    auto decoder = CreateDecoder(CodecParams{.name = codec});
    REQUIRE(encoder.ok());
    REQUIRE(decoder.ok());
    SineGenerator sine(kToneHz, kAmplitude, kGraphRate);
    AudioFrame frame;
    uint8_t payload[kMaxPayloadBytes];
    int16_t pcm[kMaxDecodedSamples];
    int samples = 0;
    for (int i = 0; i < 25; ++i) {
      sine.fill(frame.data(), kFrameSamples);
      size_t bytes = (*encoder)->encode(frame, payload, sizeof payload);
      samples = (*decoder)->decode(payload, bytes, pcm, kMaxDecodedSamples);
      REQUIRE(samples == static_cast<int>(kFrameSamples));
    }
    const double received = Energy(pcm, kFrameSamples);
    const int16_t lastReceived = pcm[kFrameSamples - 1];

    std::vector<double> energies;
    AudioFrame concealed;
    for (int i = 0; i < 10; ++i) {
      concealed.samples.fill(12345);  // conceal() must write the whole frame
      (*decoder)->conceal(concealed);
      if (i == 0) {
        // No click at the join: the step is about what the tone itself moves in one sample.
        CHECK(std::abs(concealed.samples[0] - lastReceived) < 0.3 * kAmplitude);
      }
      energies.push_back(Energy(concealed.data(), kFrameSamples));
    }
    CAPTURE(received);
    CAPTURE(energies[0]);
    CAPTURE(energies[9]);
    CHECK(energies[0] > 0.25 * received);  // the first loss is bridged, not muted
    // Never louder from one loss to the next; 100 (RMS 10, -70 dBFS) allows Opus' residue.
    for (size_t i = 1; i < energies.size(); ++i) {
      CHECK(energies[i] <= energies[i - 1] * 1.05 + 100.0);
    }
    CHECK(energies[9] < 0.01 * energies[0]);  // and ten losses later it is silence

    // When packets come back, so does the tone.
    for (int i = 0; i < 5; ++i) {
      sine.fill(frame.data(), kFrameSamples);
      size_t bytes = (*encoder)->encode(frame, payload, sizeof payload);
      samples = (*decoder)->decode(payload, bytes, pcm, kMaxDecodedSamples);
      REQUIRE(samples == static_cast<int>(kFrameSamples));
    }
    CHECK(Energy(pcm, kFrameSamples) > 0.5 * received);
  }
}

TEST_CASE("decoders survive random, truncated, empty and oversized payloads") {
  std::mt19937 random(24);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<size_t> length(0, kMaxPayloadBytes + 200);
  // Guard samples after the capacity we pass catch any write past it.
  constexpr size_t kGuard = 64;
  constexpr int16_t kGuardValue = 0x5a5a;
  for (std::string codec : kCodecs) {
    CAPTURE(codec);
    auto decoder = CreateDecoder(CodecParams{.name = codec});
    REQUIRE(decoder.ok());
    std::vector<uint8_t> payload(kMaxPayloadBytes + 200);
    std::vector<int16_t> pcm(kMaxDecodedSamples + kGuard);
    for (int round = 0; round < 2000; ++round) {
      size_t size = length(random);
      // Short payloads are the interesting ones for a parser: favour them.
      if (round % 2 == 0) size %= 16;
      for (size_t i = 0; i < size; ++i) payload[i] = static_cast<uint8_t>(byte(random));
      size_t capacity = round % 5 == 0 ? kFrameSamples : kMaxDecodedSamples;
      std::fill(pcm.begin() + capacity, pcm.end(), kGuardValue);
      int samples = (*decoder)->decode(payload.data(), size, pcm.data(), capacity);
      CHECK((samples == -1 || (samples > 0 && static_cast<size_t>(samples) <= capacity)));
      for (size_t i = capacity; i < pcm.size(); ++i) REQUIRE(pcm[i] == kGuardValue);
      if (samples == -1) {
        AudioFrame frame;
        (*decoder)->conceal(frame);
      }
    }
    CHECK((*decoder)->decode(nullptr, 0, pcm.data(), kMaxDecodedSamples) == -1);
    CHECK((*decoder)->decode(payload.data(), 0, pcm.data(), kMaxDecodedSamples) == -1);
  }
}

TEST_CASE("a truncated packet decodes to less audio or is refused, never overruns") {
  for (std::string codec : kCodecs) {
    CAPTURE(codec);
    auto encoder = CreateEncoder(CodecParams{.name = codec});
    auto decoder = CreateDecoder(CodecParams{.name = codec});
    REQUIRE(encoder.ok());
    REQUIRE(decoder.ok());
    AudioFrame frame;
    SineGenerator(1000.0, kAmplitude, kGraphRate).fill(frame.data(), kFrameSamples);
    uint8_t payload[kMaxPayloadBytes];
    size_t bytes = (*encoder)->encode(frame, payload, sizeof payload);
    REQUIRE(bytes > 1);
    int16_t pcm[kMaxDecodedSamples];
    for (size_t size = 1; size < bytes; ++size) {
      int samples = (*decoder)->decode(payload, size, pcm, kMaxDecodedSamples);
      CHECK((samples == -1 || (samples > 0 && samples <= static_cast<int>(kMaxDecodedSamples))));
    }
  }
}

}  // namespace
}  // namespace pbx::media::internal
