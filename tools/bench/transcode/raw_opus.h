// The transcode bench's baseline: libopus called directly, with the settings pbxkit's Opus codec
// uses (lib/media/codec/opus_codec.cc), so the bench can set what pbxkit does for a PCMU<->Opus
// call against the libopus work alone that such a call cannot avoid.
//
//   RawOpusCall call = *RawOpusCall::Create(params);     // params: ParamsFor(opus format)
//   call.frame(pcm16k, packet, packetSize);              // one 20 ms: encode + decode
//   size_t bytes = RawOpusEncode(encoderCall, pcm16k, payload, sizeof payload);
//
// Thread-safety: one RawOpusCall per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "lib/media/codec/audio_codec.h"

struct OpusEncoder;
struct OpusDecoder;

namespace pbx::bench {

// opus_codec.cc's kExpectedLossPercent: FEC is sized for this loss rate.
inline constexpr int kPbxkitOpusLossPercent = 10;

// One call's libopus state: the encoder of what the PCMU phone said, on its way to the Opus
// phone, and the decoder of what the Opus phone said.
class RawOpusCall {
 public:
  static absl::StatusOr<RawOpusCall> Create(const media::internal::CodecParams& params);
  RawOpusCall(RawOpusCall&& other) noexcept;
  RawOpusCall& operator=(RawOpusCall&&) = delete;
  ~RawOpusCall();

  // One 20 ms frame of the call: opus_encode of 320 samples at 16 kHz and opus_decode of one
  // packet. Returns the encoded size plus the decoded samples (kept so nothing is elided).
  size_t frame(const int16_t* pcm, const uint8_t* packet, size_t size);
  // Encodes 320 samples; returns the payload size (0: failed).
  size_t encode(const int16_t* pcm, uint8_t* payload, size_t capacity);

 private:
  RawOpusCall(OpusEncoder* encoder, OpusDecoder* decoder) : encoder_(encoder), decoder_(decoder) {}

  OpusEncoder* encoder_;
  OpusDecoder* decoder_;
  uint8_t payload_[media::internal::kMaxPayloadBytes];
  int16_t pcm_[media::internal::kMaxDecodedSamples];
};

// libopus' own state for one mono encoder and one mono decoder (opus_*_get_size).
size_t OpusEncoderStateBytes();
size_t OpusDecoderStateBytes();
const char* OpusVersion();

}  // namespace pbx::bench
