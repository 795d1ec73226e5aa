// Opus (RFC 7587) behind the AudioEncoder/AudioDecoder interface (see audio_codec.h), the one
// place besides opus_codec.cc that knows pbxkit uses libopus.
//
// Both ends run at the graph's 16 kHz, mono, tuned for speech (OPUS_APPLICATION_VOIP). RTP
// counts Opus at 48 kHz whatever it codes, so the timestamp advances 960 per 20 ms frame. The
// encoder takes complexity, inband FEC, the peer's maxaveragebitrate and DTX from CodecParams.
// The decoder takes a packet of any Opus duration (2.5 to 120 ms) and conceals a loss with
// libopus' own PLC, which fades to silence over consecutive losses.
//
//   auto encoder = CreateOpusEncoder(CodecParams{.name = "opus"});   // StatusOr<AudioEncoderPtr>
//   size_t bytes = (*encoder)->encode(frame, payload, sizeof payload);
//   auto decoder = CreateOpusDecoder();
//   int samples = (*decoder)->decode(payload, bytes, pcm, kMaxDecodedSamples);
//
// With DTX on, encode() returns 0 for a frame of silence libopus says need not be sent (its
// 1- or 2-byte DTX packets): the caller skips it as it skips a failed frame.
//
// Thread-safety: one stream, one thread (see audio_codec.h).
#pragma once

#include "absl/status/statusor.h"
#include "lib/media/codec/audio_codec.h"

namespace pbx::media::internal {

absl::StatusOr<AudioEncoderPtr> CreateOpusEncoder(const CodecParams& params);
absl::StatusOr<AudioDecoderPtr> CreateOpusDecoder();

}  // namespace pbx::media::internal
