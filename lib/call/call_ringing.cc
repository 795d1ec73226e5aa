// The ringing part of a Call: ring groups in turn, the first answer wins, provisional
// responses and early media relayed to the caller, the no-answer timer and its 180 refresh,
// and what a call's failures add up to (see call.h).
#include <algorithm>

#include "lib/base/log.h"
#include "lib/call/call.h"
#include "lib/call/sdp_negotiation.h"

namespace pbx::call {

using media::RelaySide;

namespace {
// What the caller is told of a callee's failure. A rung leg's response answers pbxd's own
// request, so the ones whose meaning lives in headers about that request are not passed on: a
// challenge (401/407, whose WWW-/Proxy-Authenticate only pbxd could answer), a redirect
// (3xx: pbxd does not follow them), a complaint about pbxd's request itself (400, 405, 413,
// 414, 416, 420, 421, 423, 494, 505, 513). The mapping follows SIP → ISUP cause → SIP of
// RFC 3398: a refusal is 403, an interworking failure 500; an unusable body is 488.
int ForCaller(int status) {
  if (status >= 300 && status < 400) return 480;
  switch (status) {
    case 401:
    case 407:
      return 403;
    case 415:
      return 488;
    case 400:
    case 405:
    case 413:
    case 414:
    case 416:
    case 420:
    case 421:
    case 423:
    case 494:
    case 505:
    case 513:
      return 500;
    default:
      return status;
  }
}
}  // namespace

void Call::sendRinging() {
  if (!callerWaiting() || ringingSent_) return;
  ringingSent_ = true;
  anchor_->sendProvisional(180, "Ringing");
}

sip::SessionDescription Call::answerForCaller(const sip::SessionDescription& callee) const {
  // A late-offer caller is offered the callee's codec first (a relay), then the rest.
  if (!anchor_->remote) return ExtendOffer(callee, anchor_->codecs);
  // The callee's codec when the caller offered it (the call relays), else the caller's best:
  // pbxkit transcodes between the two. Not simply the answer's first format: a phone may list
  // telephone-event first (baresip answers in the order of our offer).
  std::string codec = FirstCodec(callee);
  if (codec.empty() || !Offers(*anchor_->remote, codec))
    codec = PreferredCodec(*anchor_->remote, anchor_->codecs).value_or("");
  return AnswerFor(*anchor_->remote, codec);
}

std::string Call::bodyForCaller(const sip::SessionDescription& callee) {
  const SocketAddress local = bridge_->addressFor(*anchor_);
  if (!anchor_->remote) return anchor_->offer(answerForCaller(callee), local);
  auto body = anchor_->answer(*anchor_->remote, answerForCaller(callee), local);
  if (body.ok()) return *body;
  // Checked when the INVITE arrived; a policy that refuses it now answers without keys.
  PBX_LOG(kWarning, "call", id_.str(), "caller's SRTP: {}", body.status().message());
  return anchor_->sdp.anchor(answerForCaller(callee), local);
}

sip::SessionDescription Call::offerForRungLegs() const {
  // The caller's offer, or what a click-to-call's source or a transferee last sent, offered
  // sendrecv (a transferee's phone may still be on hold); else our own offer.
  return anchor_ ? anchor_->offerOfItsParty() : OwnOffer();
}

void Call::ring(std::vector<RingGroup> groups) {
  if (ended()) return;
  if (!ensureBridge()) return fail(Cause::kCongestion, 503, "no media ports");
  if (anchor_ && anchor_->remote &&
      !bridge_->applyRemote(*anchor_, sip::SessionDescription(*anchor_->remote)))
    PBX_LOG(kDebug, "call", id_.str(), "the caller's SDP names no media address yet");
  for (auto& g : groups) groups_.push_back(std::move(g));
  if (state_ == CallState::kRouting) state_ = CallState::kRinging;
  ringNextGroup();
}

void Call::ringDevices(std::vector<RingDevice>& devices) {
  RelaySide side = ringSide();
  sip::SessionDescription offer = offerForRungLegs();
  for (auto& device : devices) {
    auto leg = std::make_unique<Leg>(static_cast<LegObserver&>(*this), LegDirection::kOutbound,
                                     device.party, side, dispatcher_.timeSource().systemTime());
    leg->codecs = device.codecs;
    leg->srtp = device.srtp;
    device.invite.sdp = leg->offer(ExtendOffer(offer, leg->codecs), bridge_->addressFor(*leg));
    auto dialog = stack_.invite(device.invite, *leg);
    if (!dialog.ok()) {
      PBX_LOG(kWarning, "call", id_.str(), "cannot ring {}: {}", device.party.account,
              dialog.status().message());
      failures_.push_back(503);
      continue;
    }
    leg->attach(**dialog);
    PBX_LOG(kDebug, "call", id_.str(), "ringing {} at {}", device.party.account,
            device.invite.requestUri.str());
    if (std::none_of(groupParties_.begin(), groupParties_.end(),
                     [&](const Party& p) { return p.number == device.party.number; }))
      groupParties_.push_back(device.party);
    rung_.push_back(std::move(leg));
  }
}

absl::Status Call::addRinging(RingGroup group) {
  if (ended() || rung_.empty())
    return absl::FailedPreconditionError("call " + id_.str() + " is not ringing");
  if (group.devices.empty())
    return absl::UnavailableError("nothing to ring: " +
                                  std::to_string(group.failures.empty() ? 480 : group.failures[0]));
  size_t before = rung_.size();
  ringDevices(group.devices);
  if (rung_.size() == before) return absl::UnavailableError("no device could be rung");
  return absl::OkStatus();
}

void Call::ringNextGroup() {
  while (!groups_.empty() && rung_.empty() && !ended()) {
    RingGroup group = std::move(groups_.front());
    groups_.erase(groups_.begin());
    for (int status : group.failures) failures_.push_back(status);
    groupParties_.clear();
    lastGroupTimedOut_ = false;
    ringDevices(group.devices);
    if (rung_.empty()) continue;
    // One timer serves the group's timeout and, for calls ringing longer than a minute, the
    // provisional refresh RFC 3261 13.3.1.1 requires every minute (proxies upstream may
    // otherwise cancel after three silent minutes). The refresh is ours rather than nta's:
    // nta's progress timer keeps its retransmission list sorted by a linear walk, which turns
    // into quadratic work once thousands of calls ring at the same time.
    groupDeadline_ = dispatcher_.timeSource().monotonicTime() + group.timeout;
    if (!ringTimer_) ringTimer_ = dispatcher_.createTimer([this] { onRingTimer(); });
    armRingTimer();
    return;
  }
  if (rung_.empty() && !ended()) {
    int status = finalFailureStatus();
    Cause cause = lastGroupTimedOut_ ? Cause::kNoAnswer : CauseForSipStatus(status);
    if (!transferTarget_.empty()) {
      PBX_LOG(kInfo, "call", id_.str(), "transfer to {} failed: {}", transferTarget_,
              CauseName(cause));
      transferTarget_.clear();
      failures_.clear();
      if (transferor_ && transferor_->up()) {
        // The call goes back to the transferor, as it was.
        transferDone(status >= 300 ? status : 480, "");
        partner_ = std::move(transferor_);
        if (partner_->remote)
          bridge_->applyRemote(*partner_, sip::SessionDescription(*partner_->remote));
        bridge_->refresh(anchor_.get(), partner_.get());
        return;
      }
      // A caller the program answered alone stays answered, and the program's again.
      if (transferAlone_ && anchor_ && anchor_->up()) return;
    }
    fail(cause, status, lastGroupTimedOut_ ? "no answer" : "no device answered");
  }
}

void Call::armRingTimer() {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      groupDeadline_ - dispatcher_.timeSource().monotonicTime());
  ringTimer_->enable(std::clamp(left, std::chrono::milliseconds(0),
                                std::chrono::milliseconds(kProvisionalRefresh)));
}

void Call::onRingTimer() {
  if (rung_.empty()) return;
  if (dispatcher_.timeSource().monotonicTime() < groupDeadline_) {
    if (ringingSent_ && callerWaiting()) anchor_->sendProvisional(180, "Ringing");
    armRingTimer();
    return;
  }
  PBX_LOG(kInfo, "call", id_.str(), "no answer after the ring timeout");
  cancelRung(nullptr);
  earlyMedia_ = nullptr;
  for (auto& leg : rung_) retired_.push_back(std::move(leg));
  rung_.clear();
  lastGroupTimedOut_ = true;
  groupOver(Cause::kNoAnswer);
  ringNextGroup();
}

void Call::groupOver(Cause cause) {
  for (const Party& party : groupParties_) {
    CallEvent event;
    event.type = CallEventType::kMissed;
    event.party = party;
    event.end = EndReason{cause, SipStatusFor(cause), ""};
    observer_.callEvent(*this, std::move(event));
  }
  groupParties_.clear();
}

void Call::legProvisional(Leg& leg, int status, const std::string& sdp) {
  if (ended()) return;
  bool first = leg.state == LegState::kCalling;
  if (status == 180 || status == 183) {
    leg.state = sdp.empty() ? LegState::kRinging : LegState::kEarly;
    if (first) emit(CallEventType::kRinging, &leg);
  }
  if (callerWaiting()) {
    // Early media needs an answer in the 183; a late-offer caller can only be sent an offer,
    // which an unreliable provisional cannot carry, so that caller just hears it ringing.
    if (!sdp.empty() && earlyMedia_ == nullptr && anchor_->remote) {
      auto parsed = sip::SessionDescription::Parse(sdp);
      if (parsed.ok() && bridge_->applyRemote(leg, *parsed)) {
        earlyMedia_ = &leg;
        leg.takeAnswer(*parsed);
        anchor_->sendProvisional(183, "Session Progress", bodyForCaller(*parsed));
        bridge_->refresh(anchor_.get(), &leg);
        ringingSent_ = true;
        if (state_ == CallState::kRinging) state_ = CallState::kEarly;
        emit(CallEventType::kEarlyMedia, &leg);
        return;
      }
    }
    if (!ringingSent_ && (status == 180 || status == 183)) {
      ringingSent_ = true;
      anchor_->sendProvisional(180, "Ringing");
    }
  } else if (anchor_ && !sdp.empty() && earlyMedia_ == nullptr) {
    // An answered anchor (click-to-call source) hears the destination's early media.
    auto parsed = sip::SessionDescription::Parse(sdp);
    if (parsed.ok() && bridge_->applyRemote(leg, *parsed)) {
      earlyMedia_ = &leg;
      emit(CallEventType::kEarlyMedia, &leg);
    }
  }
}

void Call::legAnswered(Leg& leg, const std::string& sdp) {
  bool isRung = std::any_of(rung_.begin(), rung_.end(), [&](auto& l) { return l.get() == &leg; });
  if (ended() || !isRung) {
    leg.hangup();  // lost the race: another leg answered, or the caller is gone
    return;
  }
  auto parsed = sip::SessionDescription::Parse(sdp);
  if (!parsed.ok() || !bridge_->applyRemote(leg, *parsed)) {
    PBX_LOG(kWarning, "call", id_.str(), "{} answered with unusable SDP: {}", leg.party.account,
            parsed.ok() ? "no audio" : parsed.status().message());
    leg.hangup();
    failures_.push_back(488);
    removeRung(leg);
    if (rung_.empty()) ringNextGroup();
    return;
  }
  leg.state = LegState::kAnswered;
  leg.answered = dispatcher_.timeSource().systemTime();
  leg.takeAnswer(*parsed);
  rungAnswered(leg, *parsed);
}

void Call::rungAnswered(Leg& leg, const sip::SessionDescription& sdp) {
  cancelRung(&leg);
  std::unique_ptr<Leg> winner;
  for (auto& l : rung_) (l.get() == &leg ? winner : retired_.emplace_back()) = std::move(l);
  rung_.clear();
  groups_.clear();
  groupParties_.clear();
  ringTimer_.reset();
  earlyMedia_ = nullptr;
  emit(CallEventType::kAnswered, &leg);
  const bool wasAnswered = answered();

  if (anchor_ == nullptr) {
    // A click-to-call's source answered: it is the anchor, and the destination rings for it.
    anchor_ = std::move(winner);
    failures_.clear();
    state_ = CallState::kRinging;
    auto destination = std::move(destination_);
    destination_.clear();
    ring(std::move(destination));
    return;
  }
  partner_ = std::move(winner);
  if (callerWaiting()) {
    // For a late offer, the callee's answer is our offer to the caller.
    anchor_->answerDueInAck = !anchor_->remote;
    anchor_->accept(bodyForCaller(sdp));
    anchor_->answered = partner_->answered;
    armSessionTimer(*anchor_);
  }
  state_ = CallState::kAnswered;
  answeredAt_ = partner_->answered;
  bridge_->refresh(anchor_.get(), partner_.get());
  PBX_LOG(kInfo, "call", id_.str(), "answered by {}", partner_->party.account);
  emit(CallEventType::kBridged, partner_.get());
  if (!transferTarget_.empty()) {
    emit(CallEventType::kTransferred, partner_.get(), std::nullopt,
         std::exchange(transferTarget_, {}));
    transferDone(200, "OK");
  }
  if (std::exchange(leavingPark_, false)) emit(CallEventType::kPickedUp, partner_.get());
  if (!wasAnswered) observer_.callAnswered(*this);
}

void Call::removeRung(Leg& leg) {
  if (earlyMedia_ == &leg) earlyMedia_ = nullptr;
  for (auto& l : rung_)
    if (l.get() == &leg) retired_.push_back(std::move(l));
  std::erase(rung_, nullptr);
}

void Call::cancelRung(Leg* except) {
  for (auto& l : rung_)
    if (l.get() != except) l->hangup();
}

void Call::legFailed(Leg& leg, int status) {
  failures_.push_back(status);
  removeRung(leg);
  if (ended() || !rung_.empty()) return;
  groupOver(CauseForSipStatus(status));
  ringNextGroup();
}

int Call::finalFailureStatus() const {
  if (failures_.empty()) return 480;
  bool allBusy =
      std::all_of(failures_.begin(), failures_.end(), [](int s) { return s == 486 || s == 600; });
  if (allBusy) return 486;
  // A decline anywhere is final (RFC 3261 §16.7: 6xx wins); else unreachable-ish answers.
  for (int s : failures_)
    if (s >= 600) return s;
  for (int s : failures_)
    if (s == 480 || s == 408 || s == 503 || s == 487) return 480;
  return ForCaller(*std::min_element(failures_.begin(), failures_.end()));
}

}  // namespace pbx::call
