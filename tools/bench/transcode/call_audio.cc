#include "tools/bench/transcode/call_audio.h"

#include <cmath>
#include <numbers>
#include <random>

#include "tools/bench/transcode/raw_opus.h"

namespace pbx::bench {
namespace {

using media::internal::AudioFrame;
using media::internal::kFrameSamples;
using media::internal::kGraphRate;

// A voice-like level: tones under a 3 Hz "syllable" envelope, over faint noise, so neither
// codec sees pure silence or a constant signal.
AudioFrame Signal(size_t frame, std::initializer_list<double> tones, std::mt19937& random) {
  std::normal_distribution<double> noise(0, 60);
  AudioFrame out;
  for (size_t i = 0; i < kFrameSamples; ++i) {
    const double t = static_cast<double>(frame * kFrameSamples + i) / kGraphRate;
    const double envelope = 0.55 + 0.45 * std::sin(2 * std::numbers::pi * 3 * t);
    double sample = noise(random);
    for (double hz : tones) sample += envelope * 5000 * std::sin(2 * std::numbers::pi * hz * t);
    out.samples[i] = static_cast<int16_t>(std::lround(std::clamp(sample, -32768.0, 32767.0)));
  }
  return out;
}

}  // namespace

absl::StatusOr<CallAudio> CallAudio::Prepare(const media::internal::CodecParams& opusParams,
                                             size_t frames) {
  auto pcmuEncoder = media::internal::CreateEncoder({.name = "PCMU"});
  if (!pcmuEncoder.ok()) return pcmuEncoder.status();
  auto pcmuDecoder = media::internal::CreateDecoder({.name = "PCMU"});
  if (!pcmuDecoder.ok()) return pcmuDecoder.status();
  auto opusPhone = RawOpusCall::Create(opusParams);
  if (!opusPhone.ok()) return opusPhone.status();

  CallAudio audio;
  std::mt19937 random(24);
  uint8_t payload[media::internal::kMaxPayloadBytes];
  int16_t pcm[media::internal::kMaxDecodedSamples];
  for (size_t i = 0; i < frames; ++i) {
    size_t size = (*pcmuEncoder)->encode(Signal(i, {440}, random), payload, sizeof payload);
    if (size == 0) return absl::InternalError("PCMU encode failed");
    audio.pcmu.push_back({{payload, payload + size}});
    const int samples = (*pcmuDecoder)->decode(payload, size, pcm, std::size(pcm));
    if (samples != static_cast<int>(kFrameSamples)) {
      return absl::InternalError("PCMU decode gave no 20 ms frame");
    }
    AudioFrame decoded;
    std::copy_n(pcm, kFrameSamples, decoded.samples.begin());
    audio.pcmuDecoded.push_back(decoded);

    const AudioFrame said = Signal(i, {300, 1250}, random);
    size = opusPhone->encode(said.data(), payload, sizeof payload);
    if (size == 0) return absl::InternalError("Opus encode failed");
    audio.opus.push_back({{payload, payload + size}});
  }
  return audio;
}

}  // namespace pbx::bench
