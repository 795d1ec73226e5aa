// AudioFrame: 20 ms of mono linear PCM at the media graph's rate, the unit every terminated
// media component (decoders, encoders, players, recorders, mixers, tone generators and
// detectors) exchanges.
//
// The graph runs at one rate, 16 kHz: wideband enough for G.722 and Opus at the quality a
// telephone call uses, and half the work of 32/48 kHz. Narrowband codecs and files at other
// rates are resampled at their edge (see resampler.h). A frame is a fixed array, so passing
// frames around a media thread allocates nothing.
//
// Thread-safety: a value type.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace pbx::media::internal {

inline constexpr int kGraphRate = 16000;
inline constexpr std::chrono::milliseconds kFrameDuration{20};
inline constexpr size_t kFrameSamples = kGraphRate / 50;  // 320

struct AudioFrame {
  std::array<int16_t, kFrameSamples> samples{};

  void clear() { samples.fill(0); }
  int16_t* data() { return samples.data(); }
  const int16_t* data() const { return samples.data(); }
};

}  // namespace pbx::media::internal
