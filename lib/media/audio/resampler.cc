#include "lib/media/audio/resampler.h"

#include <speex/speex_resampler.h>

#include <string>

namespace pbx::media::internal {

absl::StatusOr<std::unique_ptr<Resampler>> Resampler::Create(int fromRate, int toRate,
                                                             int quality) {
  if (fromRate <= 0 || toRate <= 0) {
    return absl::InvalidArgumentError("resampler: rates must be positive");
  }
  int error = 0;
  SpeexResamplerState* state = speex_resampler_init(
      1, static_cast<spx_uint32_t>(fromRate), static_cast<spx_uint32_t>(toRate), quality, &error);
  if (state == nullptr || error != RESAMPLER_ERR_SUCCESS) {
    return absl::InternalError(std::string("speex_resampler_init: ") +
                               speex_resampler_strerror(error));
  }
  speex_resampler_skip_zeros(state);
  return std::unique_ptr<Resampler>(new Resampler(state, fromRate, toRate));
}

Resampler::Resampler(SpeexResamplerState_* state, int fromRate, int toRate)
    : state_(state), fromRate_(fromRate), toRate_(toRate) {}

Resampler::~Resampler() { speex_resampler_destroy(state_); }

size_t Resampler::process(const int16_t* in, size_t count, int16_t* out, size_t capacity) {
  spx_uint32_t inLength = static_cast<spx_uint32_t>(count);
  spx_uint32_t outLength = static_cast<spx_uint32_t>(capacity);
  speex_resampler_process_int(state_, 0, in, &inLength, out, &outLength);
  return outLength;
}

void Resampler::reset() { speex_resampler_reset_mem(state_); }

}  // namespace pbx::media::internal
