// G.711 (PCMU, PCMA) behind the AudioEncoder/AudioDecoder interface (see
// lib/media/codec/audio_codec.h), using spandsp's companding and packet loss concealment.
//
// G.711 is narrowband: the encoder resamples each 16 kHz frame to 8 kHz before companding and
// the decoder resamples back up, so one 20 ms frame is one 160-byte payload. Concealment runs at
// 8 kHz, the rate spandsp's PLC is tuned for (its pitch search assumes it), and fades to
// silence over consecutive losses.
//
//   auto encoder = CreateG711Encoder(G711Law::kMu);    // StatusOr<AudioEncoderPtr>
//   size_t bytes = (*encoder)->encode(frame, payload, sizeof payload);   // 160
//   auto decoder = CreateG711Decoder(G711Law::kMu);
//   int samples = (*decoder)->decode(payload, bytes, pcm, kMaxDecodedSamples);  // 320
//
// Thread-safety: one stream, one thread (see audio_codec.h).
#pragma once

#include "absl/status/statusor.h"
#include "lib/media/codec/audio_codec.h"

namespace pbx::media::internal {

enum class G711Law {
  kMu,  // PCMU, RTP payload type 0
  kA,   // PCMA, RTP payload type 8
};

absl::StatusOr<AudioEncoderPtr> CreateG711Encoder(G711Law law);
absl::StatusOr<AudioDecoderPtr> CreateG711Decoder(G711Law law);

}  // namespace pbx::media::internal
