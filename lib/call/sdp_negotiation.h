// SDP negotiation helpers for the call layer: answers pbxkit builds itself, for calls it
// answers on its own (Decision::Answer) and for calls it joins whose two phones both offered
// (a pickup: the caller's INVITE and the picker's both carry offers, and each must be answered
// with the same codec, since the relay does not transcode).
//
// Thread-safety: functions on values.
#pragma once

#include <optional>
#include <string>

#include "lib/call/codec_policy.h"
#include "pbx/sip/sdp.h"

namespace pbx::call {

// "PCMU/8000" for a stream format, from its rtpmap (or the static payload type); empty if
// unknown.
std::string CodecName(const sip::MediaDescription& media, const std::string& format);
// The first codec of `preferred`'s audio that `other`'s audio offers too (telephone-event
// aside), as CodecName() spells it.
std::optional<std::string> CommonCodec(const sip::SessionDescription& preferred,
                                       const sip::SessionDescription& other);
// An answer to `offer`: its audio stream with one codec — `codec` if given and offered, else
// the offer's first — and telephone-event if offered, in the direction that answers it.
sip::SessionDescription AnswerFor(const sip::SessionDescription& offer,
                                  const std::string& codec = {});
// `sdp` with its audio stream's direction set to `direction`.
sip::SessionDescription WithDirection(sip::SessionDescription sdp, sip::MediaDirection direction);

}  // namespace pbx::call
