// What the transcode bench's phones say, prepared once before anything is measured: a PCMU
// phone's RTP payloads (a tone), an Opus phone's (two tones and noise, encoded up front with
// pbxkit's Opus settings and replayed), and the 16 kHz audio pbxkit's PCMU decoder makes of the
// PCMU payloads — the audio the baseline encodes, so both measurements code the same signal.
//
//   CallAudio audio = *CallAudio::Prepare(ParamsFor(opusFormat), 250);   // 5 s, looped
//   const Payload& p = audio.pcmu[frame % audio.frames()];
//
// Thread-safety: immutable once prepared.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/media/audio/audio_frame.h"
#include "lib/media/codec/audio_codec.h"

namespace pbx::bench {

struct Payload {
  std::vector<uint8_t> bytes;
  const uint8_t* data() const { return bytes.data(); }
  size_t size() const { return bytes.size(); }
};

struct CallAudio {
  std::vector<Payload> pcmu;  // 160 bytes each
  std::vector<Payload> opus;
  std::vector<media::internal::AudioFrame> pcmuDecoded;

  size_t frames() const { return pcmu.size(); }
  static absl::StatusOr<CallAudio> Prepare(const media::internal::CodecParams& opusParams,
                                           size_t frames);
};

}  // namespace pbx::bench
