// Signal helpers for media tests: make a sine, and measure what came out of a codec, mixer or
// resampler (a tone's level, its power at one frequency, the dominant frequency) so tests check
// real signal properties rather than "no error".
//
//   SineGenerator sine(1000.0, 10000.0, 16000);
//   AudioFrame frame;  sine.fill(frame.data(), kFrameSamples);
//   double hz = DominantFrequency(pcm.data(), pcm.size(), 16000);
//   double db = RmsDb(pcm.data(), pcm.size());        // dB relative to full scale
//
// Header-only; pure functions and value types, usable from any thread.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <vector>

namespace pbx::media::testutil {

// A continuous sine: consecutive fill() calls carry the phase on, so a stream of frames is one
// unbroken tone.
class SineGenerator {
 public:
  SineGenerator(double frequency, double amplitude, int sampleRate)
      : step_(2.0 * std::numbers::pi * frequency / sampleRate), amplitude_(amplitude) {}

  void fill(int16_t* out, size_t count) {
    for (size_t i = 0; i < count; ++i) {
      out[i] = static_cast<int16_t>(std::lround(amplitude_ * std::sin(phase_)));
      phase_ = std::fmod(phase_ + step_, 2.0 * std::numbers::pi);
    }
  }

 private:
  double step_;
  double amplitude_;
  double phase_ = 0.0;
};

inline std::vector<int16_t> Sine(double frequency, double amplitude, int sampleRate, size_t count) {
  std::vector<int16_t> samples(count);
  SineGenerator(frequency, amplitude, sampleRate).fill(samples.data(), count);
  return samples;
}

// Mean square of the samples (in sample units squared).
inline double Energy(const int16_t* samples, size_t count) {
  if (count == 0) return 0.0;
  double sum = 0.0;
  for (size_t i = 0; i < count; ++i) sum += static_cast<double>(samples[i]) * samples[i];
  return sum / static_cast<double>(count);
}

// RMS level in dB relative to a full-scale square wave (32768); -inf dB is returned as -200.
inline double RmsDb(const int16_t* samples, size_t count) {
  double energy = Energy(samples, count);
  if (energy <= 0.0) return -200.0;
  return 10.0 * std::log10(energy / (32768.0 * 32768.0));
}

// The mean power of the samples' component at `frequency` (Goertzel), in the same units as
// Energy(): a pure sine of amplitude A at that frequency gives about A*A/2.
inline double GoertzelPower(const int16_t* samples, size_t count, int sampleRate,
                            double frequency) {
  if (count == 0) return 0.0;
  const double omega = 2.0 * std::numbers::pi * frequency / sampleRate;
  const double coefficient = 2.0 * std::cos(omega);
  double s1 = 0.0, s2 = 0.0;
  for (size_t i = 0; i < count; ++i) {
    double s0 = samples[i] + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  double power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
  return 2.0 * power / (static_cast<double>(count) * count);
}

// The frequency with the most power between `low` and `high` Hz: a coarse Goertzel scan, then
// a fine one around its peak. Resolution is about 0.25 Hz or sampleRate / count, whichever is
// coarser.
inline double DominantFrequency(const int16_t* samples, size_t count, int sampleRate,
                                double low = 50.0, double high = 0.0) {
  if (high <= 0.0) high = sampleRate / 2.0 - 50.0;
  auto scan = [&](double from, double to, double step) {
    double best = from, bestPower = -1.0;
    for (double f = from; f <= to; f += step) {
      double power = GoertzelPower(samples, count, sampleRate, f);
      if (power > bestPower) {
        bestPower = power;
        best = f;
      }
    }
    return best;
  };
  double coarse = scan(low, high, 10.0);
  return scan(std::max(low, coarse - 10.0), std::min(high, coarse + 10.0), 0.25);
}

// The frequency of a clean tone from its zero crossings, interpolated between samples;
// 0 if there are fewer than two crossings.
inline double ZeroCrossingFrequency(const int16_t* samples, size_t count, int sampleRate) {
  double first = -1.0, last = -1.0;
  int crossings = 0;
  for (size_t i = 1; i < count; ++i) {
    if ((samples[i - 1] < 0) != (samples[i] < 0)) {
      double a = samples[i - 1], b = samples[i];
      double at = static_cast<double>(i - 1) + a / (a - b);
      if (first < 0.0) first = at;
      last = at;
      ++crossings;
    }
  }
  if (crossings < 2 || last <= first) return 0.0;
  return (crossings - 1) / 2.0 / ((last - first) / sampleRate);
}

}  // namespace pbx::media::testutil
