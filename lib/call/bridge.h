// Bridge: the media path between the two legs of a call, anchored in pbxkit by one RTP relay
// that relays or transcodes.
// Each leg faces one side of the relay: its SDP names that side's address, and the relay
// sends that side's packets to the address the leg's own SDP names. A leg that holds
// (sendonly/inactive) is sent nothing until it resumes.
//
//   Bridge bridge(std::move(relay), musicOnHoldFiles);
//   std::string offer = leg.offer(sdp, bridge.addressFor(leg));
//   bridge.applyRemote(leg, answer);      // from the SDP the leg's phone sent
//
// Thread-safety: signaling thread only (the relay's packet work runs on a media thread).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lib/call/leg.h"
#include "pbx/media/rtp_relay.h"
#include "pbx/sip/sdp.h"

namespace pbx::call {

class Bridge {
 public:
  // `musicOnHold`: the files a leg hears while the other holds it (none: silence).
  Bridge(media::RtpRelayPtr relay, std::vector<std::string> musicOnHold)
      : relay_(std::move(relay)), musicOnHold_(std::move(musicOnHold)) {}

  // The PBX address the leg's phone must send its RTP to.
  SocketAddress addressFor(const Leg& leg) const { return relay_->localAddress(leg.side); }
  // Points the relay side facing `leg` at the address in `sdp`, and notes it as the leg's
  // remote SDP and its hold state. False when `sdp` has no usable audio stream.
  bool applyRemote(Leg& leg, const sip::SessionDescription& sdp);
  // Points the relay at what the legs negotiated: each side's format (it relays when the two
  // match and transcodes when they differ), and no packets to a leg that holds until it
  // resumes; a leg whose party holds it (or that waits parked, alone) hears music on hold.
  void refresh(Leg* a, Leg* b);
  void setParked(bool parked) { parked_ = parked; }
  media::RtpRelay& relay() { return *relay_; }
  const media::RtpRelay& relay() const { return *relay_; }

 private:
  void playMusicOnHold(const Leg* listener);

  media::RtpRelayPtr relay_;
  std::vector<std::string> musicOnHold_;
  bool parked_ = false;
  std::optional<media::RelaySide> holdMusicSide_;  // the side music on hold plays to
};

// The direction an answer gives a stream offered with `offered` (RFC 3264 6.1).
sip::MediaDirection AnswerDirection(sip::MediaDirection offered);

}  // namespace pbx::call
