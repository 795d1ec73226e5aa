#include "lib/call/sdp_anchor.h"

#include <atomic>
#include <span>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"

namespace pbx::call {
namespace {

// What a stream's attributes may say on the other leg: what describes the media pbxd relays
// unchanged. The codecs and their parameters (rtpmap, fmtp), packetization (ptime, maxptime),
// direction (hold), RTCP feedback the two ends negotiate through the relay (rtcp-fb), and the
// keys of media encrypted end to end in the packets (DTLS-SRTP's fingerprint, setup and tls-id;
// zrtp-hash), which must pass since the relay does not touch those packets.
//
// SDES keys (crypto) do not pass: pbxkit terminates SRTP on each leg (srtp_policy.h), so each
// leg's keys are negotiated with that leg's phone alone, and one phone's keys never reach the
// other party. The profile (RTP/AVP, RTP/SAVP) passes as it is; srtp_policy.h sets it per leg.
//
// Everything else is dropped, known or not, so that nothing of the other party or its
// software reaches this one: tool, label and the like name them; ssrc, ssrc-group, msid and
// msid-semantic carry their CNAME and stream ids; ICE (candidate, ice-*, remote-candidates)
// and rtcp name their addresses. mid and group:BUNDLE are dropped because the relay gives
// each stream ports of its own, rtcp-mux because it relays RTCP on the RTP port + 1: a leg
// whose offer pbxd answers itself (a re-INVITE) must not end up muxed while the other is not.
// extmap goes too: the header extensions phones offer for audio are either tied to the mid
// dropped above or optional, and a receiver ignores extensions it did not negotiate.
constexpr absl::string_view kMediaAttributes[] = {
    "rtpmap",   "fmtp",    "ptime",       "maxptime", "sendrecv", "sendonly",  "recvonly",
    "inactive", "rtcp-fb", "fingerprint", "setup",    "tls-id",   "zrtp-hash",
};
// Session level: a direction for every stream, and DTLS-SRTP's keys.
constexpr absl::string_view kSessionAttributes[] = {
    "sendrecv", "sendonly", "recvonly", "inactive", "fingerprint", "setup", "tls-id",
};

void KeepOnly(std::vector<sip::SdpAttribute>& attributes, std::span<const absl::string_view> kept) {
  std::erase_if(attributes, [&](const sip::SdpAttribute& a) {
    for (absl::string_view name : kept)
      if (absl::EqualsIgnoreCase(a.name, name)) return false;
    return true;
  });
}

}  // namespace

LegSdp::LegSdp() {
  static std::atomic<uint64_t> next{1000};
  sessionId_ = std::to_string(next.fetch_add(1));
}

std::string LegSdp::build(sip::SessionDescription sdp, const SocketAddress& local,
                          const std::vector<sip::SdpAttribute>& crypto) const {
  sdp.origin.username = "pbxkit";
  sdp.origin.sessionId = sessionId_;
  sdp.origin.sessionVersion = std::to_string(version_);
  sdp.sessionName = "pbxkit";
  sdp.setConnectionAddress(local.ip());
  KeepOnly(sdp.attributes, kSessionAttributes);
  bool audioAnchored = false;
  for (auto& m : sdp.media) {
    KeepOnly(m.attributes, kMediaAttributes);
    if (m.media == "audio" && m.port != 0 && !audioAnchored) {
      m.port = local.port();
      m.portCount = 1;
      m.attributes.insert(m.attributes.end(), crypto.begin(), crypto.end());
      audioAnchored = true;
    } else {
      m.port = 0;
    }
  }
  return sdp.serialize();
}

std::string LegSdp::anchor(sip::SessionDescription sdp, const SocketAddress& local,
                           const std::vector<sip::SdpAttribute>& crypto) {
  std::string body = build(sdp, local, crypto);
  if (!last_.empty() && body != last_) {
    ++version_;
    body = build(sdp, local, crypto);
  }
  last_ = body;
  lastSent_ = std::move(sdp);
  return body;
}

}  // namespace pbx::call
