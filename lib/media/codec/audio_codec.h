// Audio codecs behind one interface: an AudioEncoder turns one 20 ms AudioFrame (16 kHz, see
// audio_frame.h) into one RTP payload; an AudioDecoder turns a payload back into 16 kHz PCM and
// conceals a lost packet. Each codec resamples at its own edge (G.711 is 8 kHz), so the media
// graph only ever sees 16 kHz frames.
//
//   CodecParams params{.name = "opus"};                   // from the negotiated SDP
//   auto encoder = CreateEncoder(params);                 // StatusOr<AudioEncoderPtr>
//   size_t bytes = (*encoder)->encode(frame, payload, sizeof payload);
//   auto decoder = CreateDecoder(params);
//   int samples = (*decoder)->decode(payload, bytes, pcm, kMaxDecodedSamples);
//
// Codecs: PCMU and PCMA (G.711, spandsp), G722 (spandsp), opus (libopus, RFC 7587). Names are
// the SDP encoding names, compared case-insensitively.
//
// Thread-safety: an encoder or decoder is one stream's state, used by one thread (the media
// thread of its endpoint). CodecCatalog functions are pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "lib/media/audio/audio_frame.h"

namespace pbx::media::internal {

// Enough for the longest packet a decoder accepts: 120 ms (Opus' maximum) at 16 kHz.
inline constexpr size_t kMaxDecodedSamples = kFrameSamples * 6;
// Enough for one encoded 20 ms frame of any codec here (Opus at 510 kbit/s: 1275 bytes).
inline constexpr size_t kMaxPayloadBytes = 1500;

// What the SDP negotiation settled for one codec on one leg.
struct CodecParams {
  std::string name;  // "PCMU", "PCMA", "G722", "opus"
  // Opus (RFC 7587 fmtp and our own settings).
  int opusComplexity = 5;         // 0..10
  bool opusInbandFec = true;      // useinbandfec=1
  int opusMaxAverageBitrate = 0;  // maxaveragebitrate in bit/s; 0 = libopus' choice
  bool opusDtx = false;           // usedtx=1
};

class AudioEncoder {
 public:
  virtual ~AudioEncoder() = default;
  // Encodes one 20 ms frame; returns the payload size, or 0 when it failed (the frame is
  // then not sent).
  virtual size_t encode(const AudioFrame& frame, uint8_t* payload, size_t capacity) = 0;
  // RTP timestamp units per 20 ms frame (G.711: 160; G.722: 160, its RTP clock being 8 kHz by
  // RFC 3551's historical error; Opus: 960, at 48 kHz).
  virtual uint32_t timestampStep() const = 0;
};
using AudioEncoderPtr = std::unique_ptr<AudioEncoder>;

class AudioDecoder {
 public:
  virtual ~AudioDecoder() = default;
  // Decodes one payload into 16 kHz samples; returns how many it wrote (a multiple of 20 ms
  // is usual but not required), or -1 for a payload it cannot decode.
  virtual int decode(const uint8_t* payload, size_t size, int16_t* pcm, size_t capacity) = 0;
  // Fills one 20 ms frame for a packet that never came (packet loss concealment): the codec's
  // own (Opus), spandsp's PLC (G.711, G.722), fading to silence over consecutive losses.
  virtual void conceal(AudioFrame& frame) = 0;
};
using AudioDecoderPtr = std::unique_ptr<AudioDecoder>;

// InvalidArgument for a codec name this build does not know.
absl::StatusOr<AudioEncoderPtr> CreateEncoder(const CodecParams& params);
absl::StatusOr<AudioDecoderPtr> CreateDecoder(const CodecParams& params);

}  // namespace pbx::media::internal
