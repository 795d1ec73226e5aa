// Resampler: converts mono 16-bit PCM between two rates (8, 16, 32, 44.1, 48 kHz, ...) with
// speexdsp's resampler, the one place pbxkit includes speexdsp. Stateful: feed consecutive
// chunks of one stream through one Resampler so the filter history carries over.
//
//   auto up = Resampler::Create(8000, 16000);          // StatusOr<unique_ptr<Resampler>>
//   size_t produced = (*up)->process(in, 160, out, 320);
//
// Quality: speexdsp's VoIP quality (3) by default, the level it recommends for telephony;
// files decoded once for the prompt cache can afford more (quality 8).
//
// Thread-safety: one stream, one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"

struct SpeexResamplerState_;

namespace pbx::media::internal {

class Resampler {
 public:
  static constexpr int kVoipQuality = 3;
  static constexpr int kHighQuality = 8;

  static absl::StatusOr<std::unique_ptr<Resampler>> Create(int fromRate, int toRate,
                                                           int quality = kVoipQuality);
  ~Resampler();
  Resampler(const Resampler&) = delete;
  Resampler& operator=(const Resampler&) = delete;

  int fromRate() const { return fromRate_; }
  int toRate() const { return toRate_; }
  // Converts `count` samples of `in`; writes at most `capacity` samples to `out` and returns
  // how many it wrote. With capacity >= count * toRate / fromRate + 1 all input is consumed.
  size_t process(const int16_t* in, size_t count, int16_t* out, size_t capacity);
  // Forgets the filter history (a new stream, or after a gap).
  void reset();

 private:
  Resampler(SpeexResamplerState_* state, int fromRate, int toRate);

  SpeexResamplerState_* state_;
  const int fromRate_;
  const int toRate_;
};

}  // namespace pbx::media::internal
