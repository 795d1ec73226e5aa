// Codec policy of the B2BUA: which codecs pbxkit offers each leg, which one it answers with,
// and which format a leg ended up with once its offer/answer completed.
//
// pbxkit transcodes, so a leg is offered what its own phone supports rather than only what the
// other party offered: the other party's codecs first (a common codec means the call relays
// packets untouched), then every other codec pbxkit can encode and decode, filtered and ordered
// by the leg's account preference list when it has one (Account::codecs).
//
//   sip::SessionDescription offer = ExtendOffer(caller->offerOfItsParty(), callee.codecs);
//   media::StreamFormat format = NegotiatedFormat(leg.sdp.lastParsed(), *leg.remote);
//
// Thread-safety: functions on values.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pbx/media/media_types.h"
#include "pbx/sip/sdp.h"

namespace pbx::call {

// `offer`'s audio stream with the codecs of `preference` (SDP names; empty: every codec pbxkit
// supports, in its own order) that it lacks, each with a free payload type, its rtpmap and its
// fmtp, and telephone-event when missing. With a preference list, codecs pbxkit can transcode
// that the list leaves out are removed (codecs it cannot transcode stay: only a relay to a
// phone that has them can carry them).
sip::SessionDescription ExtendOffer(sip::SessionDescription offer,
                                    const std::vector<std::string>& preference = {});

// The offer pbxkit makes itself (a late-offer INVITE, a call it places with no other party):
// every codec pbxkit supports (or those of `preference`) and telephone-event, sendrecv.
sip::SessionDescription OwnOffer(const std::vector<std::string>& preference = {});

// The codec an answer to `offer` should carry: the first of `preference` (or pbxkit's own
// order) that the offer has and pbxkit can transcode, or the offer's first codec when none is.
std::optional<std::string> PreferredCodec(const sip::SessionDescription& offer,
                                          const std::vector<std::string>& preference = {});

// The first codec of `sdp`'s audio ("PCMU/8000" as CodecName() spells it), telephone-event
// aside; empty if it has none.
std::string FirstCodec(const sip::SessionDescription& sdp);

// Whether `sdp`'s audio offers `codec` ("PCMU/8000" as CodecName() spells it).
bool Offers(const sip::SessionDescription& sdp, const std::string& codec);

// The format a leg uses once `ours` (what pbxkit last sent it) and `theirs` (what its phone
// last sent) completed an offer/answer: the codec of whichever side listed one (an answer),
// else the first of theirs that ours has; telephone-event when both have it. Unknown (empty
// codec) when the two share no codec.
media::StreamFormat NegotiatedFormat(const sip::SessionDescription& ours,
                                     const sip::SessionDescription& theirs);

}  // namespace pbx::call
