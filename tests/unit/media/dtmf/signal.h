// Signal helpers for the DTMF and tone tests: measuring a tone's amplitude at one frequency
// (Goertzel), power, and making test signals (sines, deterministic speech-like noise, G.711-like
// companding). Header-only; tests only.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <vector>

namespace pbx::media::testutil {

// Amplitude of the component at `frequency` in `samples` (Goertzel): for a sine of amplitude A
// whose frequency fits the block, about A.
inline double ToneAmplitude(const int16_t* samples, size_t count, double frequency, int rate) {
  const double omega = 2.0 * std::numbers::pi * frequency / rate;
  const double coefficient = 2.0 * std::cos(omega);
  double s1 = 0, s2 = 0;
  for (size_t i = 0; i < count; ++i) {
    const double s0 = samples[i] + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const double power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
  return 2.0 * std::sqrt(std::max(power, 0.0)) / static_cast<double>(count);
}

inline double Rms(const int16_t* samples, size_t count) {
  double sum = 0;
  for (size_t i = 0; i < count; ++i) sum += static_cast<double>(samples[i]) * samples[i];
  return count == 0 ? 0.0 : std::sqrt(sum / static_cast<double>(count));
}

// Adds a sine of `amplitude` to `out`, continuing from sample index `start`.
inline void AddSine(int16_t* out, size_t count, double frequency, double amplitude, int rate,
                    size_t start = 0) {
  for (size_t i = 0; i < count; ++i) {
    const double t = static_cast<double>(start + i) / rate;
    const double value = out[i] + amplitude * std::sin(2.0 * std::numbers::pi * frequency * t);
    out[i] = static_cast<int16_t>(std::clamp(value, -32768.0, 32767.0));
  }
}

// Deterministic noise with a syllable-like envelope (about 4 bursts a second) and a spectrum
// tilted towards low frequencies, as speech is: a crude stand-in for talk-off testing.
class SpeechLikeNoise {
 public:
  explicit SpeechLikeNoise(uint32_t seed = 12345) : state_(seed) {}
  void fill(int16_t* out, size_t count, int rate) {
    for (size_t i = 0; i < count; ++i, ++n_) {
      state_ = state_ * 1664525u + 1013904223u;
      const double white = static_cast<double>(static_cast<int32_t>(state_)) / 2147483648.0;
      low_ = 0.9 * low_ + 0.1 * white;  // one-pole low-pass
      const double t = static_cast<double>(n_) / rate;
      const double envelope = 0.5 + 0.5 * std::sin(2.0 * std::numbers::pi * 4.0 * t);
      out[i] = static_cast<int16_t>(std::clamp(60000.0 * envelope * low_, -32768.0, 32767.0));
    }
  }

 private:
  uint32_t state_;
  double low_ = 0;
  uint64_t n_ = 0;
};

// Companding to 8 bits and back with the continuous mu-law curve (mu = 255): the quantisation
// noise a G.711 leg adds, without a codec.
inline int16_t MuLawRoundTrip(int16_t sample) {
  constexpr double kMu = 255.0;
  const double x = sample / 32768.0;
  const double y = std::copysign(std::log1p(kMu * std::abs(x)) / std::log1p(kMu), x);
  const double level = std::round(y * 127.0) / 127.0;
  const double back = std::copysign(std::expm1(std::abs(level) * std::log1p(kMu)) / kMu, level);
  return static_cast<int16_t>(std::clamp(back * 32768.0, -32768.0, 32767.0));
}

// Lengths of the runs of "on" and "off" blocks, starting with the first block's state.
struct Run {
  bool on = false;
  size_t blocks = 0;
};
inline std::vector<Run> Runs(const std::vector<bool>& states) {
  std::vector<Run> runs;
  for (bool state : states) {
    if (runs.empty() || runs.back().on != state) runs.push_back({state, 0});
    ++runs.back().blocks;
  }
  return runs;
}

}  // namespace pbx::media::testutil
