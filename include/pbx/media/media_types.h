// Value types of the media pbxkit terminates: the format a leg's phone negotiated, DTMF digits
// and how they travel, and what call control asks a leg's media to play or record.
//
//   media::StreamFormat format{.codec = "opus", .payloadType = 111, .telephoneEvent = 101};
//   format.srtp = media::SrtpKeys{"AES_CM_128_HMAC_SHA1_80", ourKey, phoneKey};  // if SDES
//   relay->setFormat(RelaySide::kA, format);   // relays or transcodes, whichever fits
//
// Thread-safety: value types.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace pbx::media {

// The SDES keys (RFC 4568) of a leg whose phone negotiated SRTP. Both keys are secret: never
// log them.
struct SrtpKeys {
  std::string suite;      // RFC 4568 name: "AES_CM_128_HMAC_SHA1_80", "AEAD_AES_128_GCM", ...
  std::string localKey;   // base64 key||salt pbxkit protects with (our a=crypto inline: key)
  std::string remoteKey;  // base64 key||salt the phone protects with (its a=crypto key)

  bool operator==(const SrtpKeys&) const = default;
};

// The audio format one leg's phone negotiated, from the SDP offer/answer.
struct StreamFormat {
  std::string codec;        // SDP encoding name: "PCMU", "PCMA", "G722", "opus"; empty: unknown
  int payloadType = -1;     // the codec's payload type on this leg
  int telephoneEvent = -1;  // RFC 4733 telephone-event payload type; -1: not negotiated
  std::string fmtp;         // the phone's fmtp for the codec (Opus: useinbandfec, ...)
  // Set when the leg's media is SRTP: the relay then always decrypts and re-encrypts it (it
  // decodes this leg), since the other leg has other keys or none.
  std::optional<SrtpKeys> srtp;

  bool known() const { return !codec.empty() && payloadType >= 0; }
  bool operator==(const StreamFormat&) const = default;
};

// The audio codecs this build of pbxkit encodes and decodes, by SDP encoding name ("opus",
// "G722", "PCMU", "PCMA"), in its default order of preference: the names Account::codecs takes.
std::vector<std::string> SupportedCodecNames();

// How a digit reached pbxkit or leaves it: RFC 4733 events in RTP, SIP INFO, or tones in the
// audio itself.
enum class DtmfMethod { kRfc4733, kInfo, kInband };
std::string_view DtmfMethodName(DtmfMethod method);

struct DtmfDigit {
  char digit = 0;  // '0'-'9', '*', '#', 'A'-'D'
  std::chrono::milliseconds duration{0};
  DtmfMethod method = DtmfMethod::kRfc4733;
};

// What a recording holds of a two-party call (or of one leg).
enum class RecordingMode {
  kMixed,         // both directions in one mono channel
  kStereo,        // left: what the recorded leg's phone said; right: what it heard
  kReceiveOnly,   // what the leg's phone said
  kTransmitOnly,  // what the leg's phone heard
};

// Something to play to a leg: prompt files (WAV or any format libsndfile reads, any rate),
// played in order, and optionally looped (music on hold).
struct PlayRequest {
  std::vector<std::string> files;
  bool loop = false;
};

}  // namespace pbx::media
