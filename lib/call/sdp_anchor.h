// SDP anchoring: the SDP one leg is sent is the other leg's SDP with its audio pointed at the
// relay endpoint that faces this leg. Streams we do not relay (video, a second audio) are
// disabled (port 0) so no media bypasses the PBX. The session is pbxd's own (origin and
// session name "pbxkit"); of the other party's attributes only those describing the media
// pbxd relays pass (codecs, packetization, direction, RTCP feedback, DTLS-SRTP and ZRTP keys):
// addresses, ICE, CNAMEs, stream ids, the names of the other phone and its software, and its
// SDES keys (pbxkit keys SRTP per leg, see srtp_policy.h) do not (the list and its reasons are
// in sdp_anchor.cc). The parser has already dropped i=, u=, e= and p= lines.
//
//   LegSdp leg;
//   std::string offer = leg.anchor(callerOffer, relay->localAddress(RelaySide::kB));
//
// Thread-safety: a value type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "pbx/base/socket_address.h"
#include "pbx/sip/sdp.h"

namespace pbx::call {

// Our side of one leg's SDP: the o= line we own and its version.
class LegSdp {
 public:
  LegSdp();
  // The body to send on this leg; the version goes up only when the content changes. The
  // audio stream's `crypto` attributes are pbxkit's own keys for this leg (Leg::offer()):
  // any others were stripped before.
  std::string anchor(sip::SessionDescription sdp, const SocketAddress& local,
                     const std::vector<sip::SdpAttribute>& crypto = {});
  const std::string& last() const { return last_; }
  // The description behind last(), before anchoring (its codecs are what matter).
  const std::optional<sip::SessionDescription>& lastSent() const { return lastSent_; }

 private:
  std::string build(sip::SessionDescription sdp, const SocketAddress& local,
                    const std::vector<sip::SdpAttribute>& crypto) const;

  std::string sessionId_;
  uint64_t version_ = 1;
  std::string last_;
  std::optional<sip::SessionDescription> lastSent_;
};

}  // namespace pbx::call
