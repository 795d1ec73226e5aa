#include "lib/media/codec/opus_codec.h"

#include <opus.h>

#include <algorithm>
#include <string>

namespace pbx::media::internal {
namespace {

constexpr int kChannels = 1;
constexpr uint32_t kTimestampStep = 960;  // 20 ms at Opus' 48 kHz RTP clock (RFC 7587)
// The loss rate FEC is sized for: libopus only spends bits on redundancy when told to expect
// loss, and 10% is a busy Wi-Fi or mobile link without starving the primary encoding.
constexpr int kExpectedLossPercent = 10;
// RFC 7587's range for maxaveragebitrate.
constexpr int kMinBitrate = 6000;
constexpr int kMaxBitrate = 510000;

absl::Status OpusError(const char* what, int code) {
  return absl::InternalError(std::string(what) + ": " + opus_strerror(code));
}

class OpusAudioEncoder final : public AudioEncoder {
 public:
  OpusAudioEncoder(OpusEncoder* encoder, bool dtx) : encoder_(encoder), dtx_(dtx) {}
  ~OpusAudioEncoder() override { opus_encoder_destroy(encoder_); }
  OpusAudioEncoder(const OpusAudioEncoder&) = delete;
  OpusAudioEncoder& operator=(const OpusAudioEncoder&) = delete;

  size_t encode(const AudioFrame& frame, uint8_t* payload, size_t capacity) override {
    opus_int32 bytes =
        opus_encode(encoder_, frame.data(), static_cast<int>(kFrameSamples), payload,
                    static_cast<opus_int32>(std::min<size_t>(capacity, kMaxPayloadBytes)));
    if (bytes <= 0) return 0;
    if (dtx_ && bytes <= 2) return 0;  // a DTX frame: nothing worth sending
    return static_cast<size_t>(bytes);
  }

  uint32_t timestampStep() const override { return kTimestampStep; }

 private:
  OpusEncoder* encoder_;
  const bool dtx_;
};

class OpusAudioDecoder final : public AudioDecoder {
 public:
  explicit OpusAudioDecoder(OpusDecoder* decoder) : decoder_(decoder) {}
  ~OpusAudioDecoder() override { opus_decoder_destroy(decoder_); }
  OpusAudioDecoder(const OpusAudioDecoder&) = delete;
  OpusAudioDecoder& operator=(const OpusAudioDecoder&) = delete;

  int decode(const uint8_t* payload, size_t size, int16_t* pcm, size_t capacity) override {
    // An empty payload would make libopus conceal; the caller asks for that with conceal().
    if (payload == nullptr || size == 0 || size > kMaxPayloadBytes) return -1;
    int maxSamples = static_cast<int>(std::min(capacity, kMaxDecodedSamples));
    int samples = opus_decode(decoder_, payload, static_cast<opus_int32>(size), pcm, maxSamples,
                              /*decode_fec=*/0);
    return samples > 0 ? samples : -1;
  }

  void conceal(AudioFrame& frame) override {
    int samples =
        opus_decode(decoder_, nullptr, 0, frame.data(), static_cast<int>(kFrameSamples), 0);
    if (samples < static_cast<int>(kFrameSamples)) {
      std::fill(frame.samples.begin() + std::max(samples, 0), frame.samples.end(), int16_t{0});
    }
  }

 private:
  OpusDecoder* decoder_;
};

}  // namespace

absl::StatusOr<AudioEncoderPtr> CreateOpusEncoder(const CodecParams& params) {
  int error = OPUS_OK;
  OpusEncoder* encoder = opus_encoder_create(kGraphRate, kChannels, OPUS_APPLICATION_VOIP, &error);
  if (encoder == nullptr || error != OPUS_OK) return OpusError("opus_encoder_create", error);
  // Own it before the ctls so an early return frees it.
  auto owned = std::make_unique<OpusAudioEncoder>(encoder, params.opusDtx);
  int complexity = std::clamp(params.opusComplexity, 0, 10);
  if ((error = opus_encoder_ctl(encoder, OPUS_SET_COMPLEXITY(complexity))) != OPUS_OK) {
    return OpusError("OPUS_SET_COMPLEXITY", error);
  }
  if (params.opusInbandFec) {
    if ((error = opus_encoder_ctl(encoder, OPUS_SET_INBAND_FEC(1))) != OPUS_OK ||
        (error = opus_encoder_ctl(encoder, OPUS_SET_PACKET_LOSS_PERC(kExpectedLossPercent))) !=
            OPUS_OK) {
      return OpusError("OPUS_SET_INBAND_FEC", error);
    }
  }
  if (params.opusMaxAverageBitrate > 0) {
    int bitrate = std::clamp(params.opusMaxAverageBitrate, kMinBitrate, kMaxBitrate);
    if ((error = opus_encoder_ctl(encoder, OPUS_SET_BITRATE(bitrate))) != OPUS_OK) {
      return OpusError("OPUS_SET_BITRATE", error);
    }
  }
  if (params.opusDtx) {
    if ((error = opus_encoder_ctl(encoder, OPUS_SET_DTX(1))) != OPUS_OK) {
      return OpusError("OPUS_SET_DTX", error);
    }
  }
  return owned;
}

absl::StatusOr<AudioDecoderPtr> CreateOpusDecoder() {
  int error = OPUS_OK;
  OpusDecoder* decoder = opus_decoder_create(kGraphRate, kChannels, &error);
  if (decoder == nullptr || error != OPUS_OK) return OpusError("opus_decoder_create", error);
  return std::make_unique<OpusAudioDecoder>(decoder);
}

}  // namespace pbx::media::internal
