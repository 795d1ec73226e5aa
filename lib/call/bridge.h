// Bridge: the media path between the two legs of a call, anchored in pbxkit by one RTP relay
// that relays or transcodes.
// Each leg faces one side of the relay: its SDP names that side's address, and the relay
// sends that side's packets to the address the leg's own SDP names. A leg that holds
// (sendonly/inactive) is sent nothing until it resumes.
//
//   Bridge bridge(std::move(relay));
//   std::string offer = leg.sdp.anchor(sdp, bridge.addressFor(leg));
//   bridge.applyRemote(leg, answer);      // from the SDP the leg's phone sent
//
// Thread-safety: signaling thread only (the relay's packet work runs on a media thread).
#pragma once

#include "lib/call/leg.h"
#include "pbx/media/rtp_relay.h"
#include "pbx/sip/sdp.h"

namespace pbx::call {

class Bridge {
 public:
  explicit Bridge(media::RtpRelayPtr relay) : relay_(std::move(relay)) {}

  // The PBX address the leg's phone must send its RTP to.
  SocketAddress addressFor(const Leg& leg) const { return relay_->localAddress(leg.side); }
  // Points the relay side facing `leg` at the address in `sdp`, and notes the leg's hold state
  // and codec. False when `sdp` has no usable audio stream.
  bool applyRemote(Leg& leg, const sip::SessionDescription& sdp);
  // Points the relay at what the legs negotiated: each side's format (it relays when the two
  // match and transcodes when they differ), and no packets to a leg that holds until it
  // resumes.
  void refresh(const Leg* a, const Leg* b);
  media::RtpRelay& relay() { return *relay_; }
  const media::RtpRelay& relay() const { return *relay_; }

 private:
  media::RtpRelayPtr relay_;
};

// The direction an answer gives a stream offered with `offered` (RFC 3264 6.1).
sip::MediaDirection AnswerDirection(sip::MediaDirection offered);

}  // namespace pbx::call
