// Signal helpers for the audio tests: sines to feed in, and measures (frequency, tone power,
// RMS) to check what comes out, so tests assert on the audio itself.
//
// Thread-safety: pure functions.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <span>
#include <vector>

#include "lib/media/audio/audio_frame.h"

namespace pbx::media::testutil {

using internal::AudioFrame;
using internal::kFrameSamples;
using internal::kGraphRate;

// `count` samples of a sine; `start` lets consecutive frames continue one wave.
inline std::vector<int16_t> Sine(double hz, int rate, size_t count, double amplitude = 10000,
                                 size_t start = 0) {
  std::vector<int16_t> out(count);
  for (size_t i = 0; i < count; ++i) {
    out[i] = static_cast<int16_t>(
        std::lround(amplitude * std::sin(2 * std::numbers::pi * hz * double(start + i) / rate)));
  }
  return out;
}

// Frame number `index` of a continuous sine at the graph rate.
inline AudioFrame SineFrame(double hz, size_t index, double amplitude = 10000) {
  AudioFrame frame;
  std::vector<int16_t> s = Sine(hz, kGraphRate, kFrameSamples, amplitude, index * kFrameSamples);
  std::copy(s.begin(), s.end(), frame.samples.begin());
  return frame;
}

// Frequency from rising zero crossings, interpolated between samples: exact to a fraction of
// a percent for a clean tone of many periods.
inline double Frequency(std::span<const int16_t> x, int rate) {
  double first = -1, last = -1;
  int crossings = 0;
  for (size_t i = 1; i < x.size(); ++i) {
    if (x[i - 1] < 0 && x[i] >= 0) {
      double at = double(i - 1) + double(-x[i - 1]) / double(x[i] - x[i - 1]);
      if (first < 0) first = at;
      last = at;
      ++crossings;
    }
  }
  if (crossings < 2) return 0;
  return (crossings - 1) * double(rate) / (last - first);
}

// Power of one frequency (Goertzel), normalised so a full-period sine of amplitude A gives
// about (A/2)^2.
inline double TonePower(std::span<const int16_t> x, double hz, int rate) {
  const double w = 2 * std::numbers::pi * hz / rate;
  const double coeff = 2 * std::cos(w);
  double s1 = 0, s2 = 0;
  for (int16_t v : x) {
    double s0 = v + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return power / (double(x.size()) * double(x.size()));
}

inline double Rms(std::span<const int16_t> x) {
  if (x.empty()) return 0;
  double sum = 0;
  for (int16_t v : x) sum += double(v) * v;
  return std::sqrt(sum / double(x.size()));
}

// One channel of interleaved audio.
inline std::vector<int16_t> Channel(std::span<const int16_t> interleaved, int channels,
                                    int channel) {
  std::vector<int16_t> out;
  for (size_t i = channel; i < interleaved.size(); i += channels) out.push_back(interleaved[i]);
  return out;
}

}  // namespace pbx::media::testutil
