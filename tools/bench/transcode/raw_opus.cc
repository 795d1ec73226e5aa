#include "tools/bench/transcode/raw_opus.h"

#include <opus.h>

#include <algorithm>
#include <string>
#include <utility>

namespace pbx::bench {
namespace {

constexpr int kRate = media::internal::kGraphRate;
constexpr int kFrame = static_cast<int>(media::internal::kFrameSamples);

absl::Status OpusError(const char* what, int code) {
  return absl::InternalError(std::string(what) + ": " + opus_strerror(code));
}

}  // namespace

absl::StatusOr<RawOpusCall> RawOpusCall::Create(const media::internal::CodecParams& params) {
  int error = OPUS_OK;
  OpusEncoder* encoder = opus_encoder_create(kRate, 1, OPUS_APPLICATION_VOIP, &error);
  if (encoder == nullptr) return OpusError("opus_encoder_create", error);
  OpusDecoder* decoder = opus_decoder_create(kRate, 1, &error);
  if (decoder == nullptr) {
    opus_encoder_destroy(encoder);
    return OpusError("opus_decoder_create", error);
  }
  RawOpusCall call(encoder, decoder);
  // The same ctls, in the same order, as CreateOpusEncoder().
  opus_encoder_ctl(encoder, OPUS_SET_COMPLEXITY(std::clamp(params.opusComplexity, 0, 10)));
  if (params.opusInbandFec) {
    opus_encoder_ctl(encoder, OPUS_SET_INBAND_FEC(1));
    opus_encoder_ctl(encoder, OPUS_SET_PACKET_LOSS_PERC(kPbxkitOpusLossPercent));
  }
  if (params.opusMaxAverageBitrate > 0) {
    opus_encoder_ctl(encoder,
                     OPUS_SET_BITRATE(std::clamp(params.opusMaxAverageBitrate, 6000, 510000)));
  }
  if (params.opusDtx) opus_encoder_ctl(encoder, OPUS_SET_DTX(1));
  return call;
}

RawOpusCall::RawOpusCall(RawOpusCall&& other) noexcept
    : encoder_(std::exchange(other.encoder_, nullptr)),
      decoder_(std::exchange(other.decoder_, nullptr)) {}

RawOpusCall::~RawOpusCall() {
  if (encoder_ != nullptr) opus_encoder_destroy(encoder_);
  if (decoder_ != nullptr) opus_decoder_destroy(decoder_);
}

size_t RawOpusCall::encode(const int16_t* pcm, uint8_t* payload, size_t capacity) {
  const opus_int32 bytes =
      opus_encode(encoder_, pcm, kFrame, payload,
                  static_cast<opus_int32>(std::min(capacity, media::internal::kMaxPayloadBytes)));
  return bytes > 0 ? static_cast<size_t>(bytes) : 0;
}

size_t RawOpusCall::frame(const int16_t* pcm, const uint8_t* packet, size_t size) {
  const size_t encoded = encode(pcm, payload_, sizeof payload_);
  const int decoded = opus_decode(decoder_, packet, static_cast<opus_int32>(size), pcm_,
                                  static_cast<int>(media::internal::kMaxDecodedSamples), 0);
  return encoded + static_cast<size_t>(std::max(decoded, 0));
}

size_t OpusEncoderStateBytes() { return static_cast<size_t>(opus_encoder_get_size(1)); }
size_t OpusDecoderStateBytes() { return static_cast<size_t>(opus_decoder_get_size(1)); }
const char* OpusVersion() { return opus_get_version_string(); }

}  // namespace pbx::bench
