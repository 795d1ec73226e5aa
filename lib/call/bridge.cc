#include "lib/call/bridge.h"

#include "lib/call/codec_policy.h"

namespace pbx::call {

bool Bridge::applyRemote(Leg& leg, const sip::SessionDescription& sdp) {
  auto audio = sdp.findMedia("audio");
  if (!audio) return false;
  leg.remote = sdp;
  auto direction = sdp.effectiveDirection(*audio);
  leg.held =
      direction == sip::MediaDirection::kSendOnly || direction == sip::MediaDirection::kInactive;
  auto address = sdp.rtpAddress(*audio);
  relay_->setRemote(leg.side, address.ok() ? *address : SocketAddress());
  return address.ok();
}

void Bridge::refresh(Leg* a, Leg* b) {
  for (Leg* leg : {a, b}) {
    if (leg == nullptr || !leg->remote || !leg->sdp.lastSent()) continue;
    leg->format = NegotiatedFormat(*leg->sdp.lastSent(), *leg->remote);
    leg->format.srtp = leg->srtpKeys;
    relay_->setFormat(leg->side, leg->format);
  }
  // Music on hold for the leg whose party holds it (sendonly/inactive, or our hold).
  const Leg* listener = nullptr;
  if (a && b) {
    const bool aHolds = a->held || a->heldByUs, bHolds = b->held || b->heldByUs;
    if (aHolds != bHolds) listener = aHolds ? b : a;
  } else if (parked_) {
    listener = a ? a : b;
  }
  playMusicOnHold(listener);
  // A leg that holds (sendonly, inactive) asked not to receive: the other leg's packets stop.
  // A leg the call API holds neither hears nor is heard.
  for (const Leg* leg : {a, b}) {
    if (leg == nullptr) continue;
    const Leg* other = leg == a ? b : a;
    bool send = !leg->held && !leg->heldByUs && !(other && other->heldByUs);
    relay_->setForwarding(media::Other(leg->side), send);
  }
}

void Bridge::playMusicOnHold(const Leg* listener) {
  std::optional<media::RelaySide> side;
  if (listener && listener->state == LegState::kAnswered && !musicOnHold_.empty())
    side = listener->side;
  if (side == holdMusicSide_) return;
  if (holdMusicSide_) relay_->stopPlaying(*holdMusicSide_);
  holdMusicSide_ = side;
  if (side) relay_->play(*side, {musicOnHold_, /*loop=*/true});
}

sip::MediaDirection AnswerDirection(sip::MediaDirection offered) {
  switch (offered) {
    case sip::MediaDirection::kSendOnly:
      return sip::MediaDirection::kRecvOnly;
    case sip::MediaDirection::kRecvOnly:
      return sip::MediaDirection::kSendOnly;
    default:
      return offered;  // sendrecv and inactive answer in kind
  }
}

}  // namespace pbx::call
