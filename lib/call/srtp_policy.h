// SRTP policy of a leg: whether pbxkit offers, accepts or demands SRTP with SDES keys (RFC 4568)
// on the audio stream of the SDP it exchanges with one phone, and the keys that leave the
// negotiation for the leg's media::StreamFormat. pbxkit terminates SRTP on each leg (the relay
// decrypts and re-encrypts), so the keys of one leg never reach the other.
//
//   // The phone offered: answer it, or refuse with 488 on an error.
//   auto keys = AnswerCrypto(phoneOffer, SrtpPolicy::kOptional, answer);
//   if (!keys.ok()) return reject(488);
//   format.srtp = *keys;                                 // nullopt: plain RTP
//   // pbxkit offers: keep what it offered until the answer comes.
//   auto offered = OfferCrypto(offer, SrtpPolicy::kMandatory);
//   ...   // the phone answered
//   auto agreed = AcceptCrypto(**offered, phoneAnswer);  // if *offered; an error: end the call
//   if (agreed.ok()) format.srtp = *agreed;
//
// Only the first audio stream with a port is looked at (the one the relay anchors). A DTLS-SRTP
// stream (UDP/TLS/RTP/SAVP[F]) is no SDES stream: these functions leave it as it is.
// Errors never quote a key.
//
// Thread-safety: functions on values (key generation reads the kernel's CSPRNG).
#pragma once

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/media/srtp/sdes.h"
#include "pbx/call/call_options.h"
#include "pbx/media/media_types.h"
#include "pbx/sip/sdp.h"

namespace pbx::call {

// What pbxkit offered one phone, kept until its answer arrives. The attributes hold our keys.
struct OfferedCrypto {
  SrtpPolicy policy = SrtpPolicy::kOptional;
  std::vector<media::internal::CryptoAttribute> attributes;
};

// Answers the audio of a phone's `offer` in `answer` (its audio stream, already built): picks
// one a=crypto line of the offer, writes ours with the same tag and the offer's profile (an
// RTP/AVP offer with keys is answered RTP/AVP with keys, as RFC 3264 keeps the profile), and
// returns the keys. A plain answer (nullopt) loses any a=crypto and gets the offer's plain
// profile. FailedPrecondition (answer 488; `answer` is then half-made, not to be sent) for an
// RTP/SAVP offer under kOff, an RTP/SAVP offer with no line we accept, or a plain offer under
// kMandatory.
absl::StatusOr<std::optional<media::SrtpKeys>> AnswerCrypto(const sip::SessionDescription& offer,
                                                            SrtpPolicy policy,
                                                            sip::SessionDescription& answer);

// Makes `offer`'s audio what `policy` offers: kOff RTP/AVP without keys (nullopt); kOptional
// RTP/AVP with one a=crypto line per suite pbxkit runs; kMandatory the same as RTP/SAVP. Any
// a=crypto it had (another party's) is replaced. An error only if no key could be made.
absl::StatusOr<std::optional<OfferedCrypto>> OfferCrypto(sip::SessionDescription& offer,
                                                         SrtpPolicy policy);

// The keys once the phone answered what OfferCrypto() offered; nullopt when it chose plain RTP
// (kOptional). An error (end the call) for an answer whose a=crypto matches none of ours, an
// RTP/SAVP answer without keys, or a plain answer under kMandatory.
absl::StatusOr<std::optional<media::SrtpKeys>> AcceptCrypto(const OfferedCrypto& offered,
                                                            const sip::SessionDescription& answer);

}  // namespace pbx::call
