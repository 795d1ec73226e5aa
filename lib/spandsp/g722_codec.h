// G.722 at 64 kbit/s behind the AudioEncoder/AudioDecoder interface (see
// lib/media/codec/audio_codec.h), using spandsp's G.722 and packet loss concealment.
//
// G.722 is wideband, so it runs at the graph's 16 kHz with no resampling: one 20 ms frame is
// one 160-byte payload, and the RTP timestamp advances 160 per frame (RFC 3551 keeps G.722's
// RTP clock at 8 kHz). Concealment runs on the decoded 16 kHz signal and fades to silence over
// consecutive losses.
//
//   auto encoder = CreateG722Encoder();                 // StatusOr<AudioEncoderPtr>
//   size_t bytes = (*encoder)->encode(frame, payload, sizeof payload);   // 160
//   auto decoder = CreateG722Decoder();
//   int samples = (*decoder)->decode(payload, bytes, pcm, kMaxDecodedSamples);  // 320
//
// Thread-safety: one stream, one thread (see audio_codec.h).
#pragma once

#include "absl/status/statusor.h"
#include "lib/media/codec/audio_codec.h"

namespace pbx::media::internal {

absl::StatusOr<AudioEncoderPtr> CreateG722Encoder();
absl::StatusOr<AudioDecoderPtr> CreateG722Decoder();

}  // namespace pbx::media::internal
