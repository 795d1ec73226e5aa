#include "lib/call/sdp_anchor.h"

#include <atomic>

namespace pbx::call {

LegSdp::LegSdp() {
  static std::atomic<uint64_t> next{1000};
  sessionId_ = std::to_string(next.fetch_add(1));
}

std::string LegSdp::build(sip::SessionDescription sdp, const SocketAddress& local) const {
  sdp.origin.username = "pbxkit";
  sdp.origin.sessionId = sessionId_;
  sdp.origin.sessionVersion = std::to_string(version_);
  sdp.setConnectionAddress(local.ip());
  bool audioAnchored = false;
  for (auto& m : sdp.media) {
    for (const char* name : {"rtcp", "candidate", "ice-ufrag", "ice-pwd", "ice-options",
                             "remote-candidates", "ice-lite"})
      m.removeAttributes(name);
    if (m.media == "audio" && m.port != 0 && !audioAnchored) {
      m.port = local.port();
      m.portCount = 1;
      audioAnchored = true;
    } else {
      m.port = 0;
    }
  }
  for (const char* name : {"ice-ufrag", "ice-pwd", "ice-options", "ice-lite"}) {
    std::erase_if(sdp.attributes, [&](const sip::SdpAttribute& a) { return a.name == name; });
  }
  return sdp.serialize();
}

std::string LegSdp::anchor(sip::SessionDescription sdp, const SocketAddress& local) {
  std::string body = build(sdp, local);
  if (!last_.empty() && body != last_) {
    ++version_;
    body = build(std::move(sdp), local);
  }
  last_ = body;
  return body;
}

sip::SessionDescription DefaultAudioOffer() {
  sip::SessionDescription sdp;
  sdp.connection = sip::SdpConnection{};
  sip::MediaDescription audio;
  audio.media = "audio";
  audio.port = 9;  // replaced by the relay port when anchored
  audio.protocol = "RTP/AVP";
  audio.formats = {"0", "8", "101"};
  audio.attributes = {{"rtpmap", "0 PCMU/8000", true},
                      {"rtpmap", "8 PCMA/8000", true},
                      {"rtpmap", "101 telephone-event/8000", true},
                      {"fmtp", "101 0-16", true},
                      {"ptime", "20", true}};
  audio.setDirection(sip::MediaDirection::kSendRecv);
  sdp.media.push_back(std::move(audio));
  return sdp;
}

}  // namespace pbx::call
