// What SDP needs to offer and answer each audio codec pbxkit can terminate: the rtpmap fields
// (payload type, clock rate, channels), the fmtp we offer, and the translation between Opus'
// fmtp (RFC 7587) and CodecParams.
//
//   for (const CodecInfo& codec : SupportedCodecs()) {          // opus, G722, PCMU, PCMA
//     // a=rtpmap:<pt> <codec.name>/<codec.rtpClockRate>[/<codec.channels>]
//   }
//   CodecParams params{.name = "opus"};
//   ParseOpusFmtp(peerFmtp, params);                             // what the peer wants to receive
//   std::string ours = OpusFmtp(params);                         // "useinbandfec=1; stereo=0"
//
// Thread-safety: pure functions over constant data.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "lib/media/codec/audio_codec.h"

namespace pbx::media::internal {

struct CodecInfo {
  std::string name;         // SDP encoding name, as we write it: "opus", "G722", "PCMU", "PCMA"
  int staticPayloadType;    // RFC 3551's payload type, or -1 for a dynamic one (opus)
  int rtpClockRate;         // the rtpmap clock: 8000 for G.722 too (RFC 3551), 48000 for opus
  int channels;             // the rtpmap channel count: 2 for opus (RFC 7587), 1 otherwise
  std::string defaultFmtp;  // what we offer in a=fmtp, empty for none
};

// The codecs this build can encode and decode, in pbxkit's default order of preference.
std::span<const CodecInfo> SupportedCodecs();

// The codec of that encoding name (case-insensitive), or nullptr for one we do not support.
const CodecInfo* FindCodec(std::string_view name);

// Our a=fmtp value for opus with these settings: useinbandfec, maxaveragebitrate when set,
// usedtx when on, and stereo=0 since we only ever decode mono.
std::string OpusFmtp(const CodecParams& params);

// Reads useinbandfec, maxaveragebitrate and usedtx from a peer's opus fmtp into `params`.
// Unknown keys, malformed pairs and out-of-range values are skipped; keys absent from `fmtp`
// leave their fields as they were (so a caller wanting RFC 7587's "absent means 0" clears
// them first). Never fails: a peer's SDP is untrusted input.
void ParseOpusFmtp(std::string_view fmtp, CodecParams& params);

}  // namespace pbx::media::internal
