#include "lib/call/call.h"

#include <algorithm>

#include "lib/base/log.h"
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

const char* StatusPhrase(int status) {
  switch (status) {
    case 404:
      return "Not Found";
    case 480:
      return "Temporarily Unavailable";
    case 486:
      return "Busy Here";
    case 487:
      return "Request Terminated";
    case 488:
      return "Not Acceptable Here";
    case 500:
      return "Server Internal Error";
    case 503:
      return "Service Unavailable";
    case 603:
      return "Decline";
    default:
      return "";
  }
}

}  // namespace

Call::Call(CallId id, Dispatcher& dispatcher, sip::SignalingStack& stack, media::MediaEngine& media,
           CallObserver& observer, Party caller, std::string dialled, std::string callUuid)
    : id_(id),
      dispatcher_(dispatcher),
      stack_(stack),
      media_(media),
      observer_(observer),
      caller_(std::move(caller)),
      dialled_(std::move(dialled)),
      callUuid_(std::move(callUuid)),
      created_(dispatcher.timeSource().systemTime()) {}

Call::~Call() = default;

bool Call::ensureBridge() {
  if (bridge_) return true;
  auto relay = media_.createRelay({});
  if (!relay.ok()) {
    PBX_LOG(kWarning, "call", id_.str(), "no media relay: {}", relay.status().message());
    return false;
  }
  bridge_.emplace(std::move(*relay));
  return true;
}

bool Call::callerWaiting() const {
  return anchor_ && anchor_->direction == LegDirection::kInbound &&
         anchor_->state != LegState::kAnswered && anchor_->state != LegState::kEnded;
}

bool Call::mediaExpected() const {
  return !(anchor_ && anchor_->held) && !(partner_ && partner_->held);
}

Leg* Call::other(const Leg& leg) const {
  if (&leg == anchor_.get()) return partner_.get();
  if (&leg == partner_.get()) return anchor_.get();
  return nullptr;
}

void Call::emit(CallEventType type, const Leg* leg, std::optional<EndReason> end,
                std::string detail) {
  CallEvent event;
  event.type = type;
  if (leg) {
    event.leg = leg->id;
    event.party = leg->party;
  }
  event.end = std::move(end);
  event.detail = std::move(detail);
  observer_.callEvent(*this, std::move(event));
}

void Call::startInbound(sip::Dialog& dialog, std::optional<sip::SessionDescription> offer,
                        std::chrono::seconds sessionInterval, bool weRefresh) {
  anchor_ = std::make_unique<Leg>(static_cast<LegObserver&>(*this), LegDirection::kInbound, caller_,
                                  RelaySide::kA, created_);
  anchor_->attach(dialog);
  anchor_->remote = std::move(offer);
  if (sessionInterval.count() > 0) anchor_->setSessionTimer(sessionInterval, weRefresh);
  emit(CallEventType::kCallStarted, anchor_.get());
}

void Call::startOriginate(std::vector<RingGroup> source, std::vector<RingGroup> destination) {
  destination_ = std::move(destination);
  emit(CallEventType::kCallStarted, nullptr);
  ring(std::move(source));
}

void Call::sendRinging() {
  if (!callerWaiting() || ringingSent_) return;
  ringingSent_ = true;
  anchor_->sendProvisional(180, "Ringing");
}

sip::SessionDescription Call::offerForRungLegs() const {
  // The caller's offer, or what a click-to-call's source or a transferee last sent, offered
  // sendrecv (a transferee's phone may still be on hold); else our own offer.
  if (!anchor_ || !anchor_->remote) return DefaultAudioOffer();
  return WithDirection(*anchor_->remote, sip::MediaDirection::kSendRecv);
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
    device.invite.sdp = leg->sdp.anchor(offer, bridge_->addressFor(*leg));
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
        bridge_->updateForwarding(anchor_.get(), partner_.get());
        return;
      }
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
        anchor_->sendProvisional(183, "Session Progress",
                                 anchor_->sdp.anchor(*parsed, bridge_->addressFor(*anchor_)));
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
    anchor_->accept(anchor_->sdp.anchor(sdp, bridge_->addressFor(*anchor_)));
    anchor_->answered = partner_->answered;
    armSessionTimer(*anchor_);
  }
  state_ = CallState::kAnswered;
  answeredAt_ = partner_->answered;
  bridge_->updateForwarding(anchor_.get(), partner_.get());
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

void Call::fail(Cause cause, int status, const std::string& detail) {
  if (ended()) return;
  cancelRung(nullptr);
  int failStatus = 0;
  if (callerWaiting()) {
    anchor_->reject({status, StatusPhrase(status)});
    failStatus = status;
  } else if (anchor_) {
    anchor_->hangup();  // an answered anchor whose destination could not be reached
  }
  finish(failStatus, {cause, status, detail});
}

void Call::legCancelled(Leg& leg) {
  if (&leg != anchor_.get()) return;
  PBX_LOG(kDebug, "call", id_.str(), "caller cancelled");
  cancelRung(nullptr);
  groupOver(Cause::kCancelled);
  finish(487, {Cause::kCancelled, 487, "caller cancelled"});
}

void Call::legEnded(Leg& leg, sip::TerminationReason reason) {
  if (ended()) return;
  Cause cause = reason == sip::TerminationReason::kSessionExpired ? Cause::kSessionExpired
                                                                  : Cause::kNormalClearing;
  if (&leg == transferor_.get()) {
    retire(std::move(transferor_));  // the transfer goes on without it
    return;
  }
  if (&leg == anchor_.get()) {
    bool wasAnswered = answered();
    cancelRung(nullptr);
    if (!wasAnswered || !transferTarget_.empty()) groupOver(Cause::kCancelled);
    if (partner_) partner_->hangup();
    if (transferor_) {
      transferDone(487, "Request Terminated");
      transferor_->hangup();
    }
    std::string who = anchor_->direction == LegDirection::kInbound ? "caller" : "source";
    finish(wasAnswered ? 0 : 487, {wasAnswered ? cause : Cause::kCancelled, 0,
                                   who + " hung up (" + sip::TerminationReasonName(reason) + ")"});
  } else if (&leg == partner_.get()) {
    anchor_->hangup();
    finish(0,
           {cause, 0, std::string("callee hung up (") + sip::TerminationReasonName(reason) + ")"});
  } else {
    removeRung(leg);  // a rung leg's dialog can only end after an answer we already refused
  }
}

void Call::legOffer(Leg& leg, const std::string& sdp, sip::OfferResponder respond) {
  if (&leg != anchor_.get() && &leg != partner_.get() && &leg != transferor_.get()) {
    respond(488, "");
    return;
  }
  answerOffer(leg, sdp, std::move(respond));
  armSessionTimer(leg);  // a re-INVITE or UPDATE refreshes the session
}

void Call::legAck(Leg& leg, const std::string& sdp) {
  // The caller's first ACK answers our initial 200; without an answer a late-offer call has
  // no media at all. A later offer (an offerless re-INVITE) left unanswered changes nothing.
  bool initial = &leg == anchor_.get() && !leg.acked;
  leg.acked = true;
  if (!leg.answerDueInAck || ended() || !bridge_) return;
  leg.answerDueInAck = false;
  auto parsed = sdp.empty() ? absl::InvalidArgumentError("the ACK has no SDP")
                            : sip::SessionDescription::Parse(sdp);
  bool wasHeld = leg.held;
  if (parsed.ok() && bridge_->applyRemote(leg, *parsed)) {
    noteHold(leg, wasHeld);
    return;
  }
  PBX_LOG(kWarning, "call", id_.str(), "the {} ACK carries no usable SDP answer: {}",
          &leg == anchor_.get() ? "caller's" : "callee's",
          parsed.ok() ? "no audio" : parsed.status().message());
  if (initial) hangup({Cause::kNormalClearing, 0, "no SDP answer in the caller's ACK"});
}

void Call::answerOffer(Leg& leg, const std::string& sdp, sip::OfferResponder respond) {
  if (sdp.empty()) {
    // An offerless re-INVITE (our 200 carries the offer, the ACK the answer) or a
    // session-refresh UPDATE: nothing changes.
    leg.answerDueInAck = true;
    respond(200, leg.sdp.last());
    return;
  }
  leg.answerDueInAck = false;
  auto parsed = sip::SessionDescription::Parse(sdp);
  if (!parsed.ok() || !parsed->findMedia("audio") || !bridge_) {
    respond(488, "");
    return;
  }
  bool wasHeld = leg.held;
  bridge_->applyRemote(leg, *parsed);
  // Answer with the same streams, mirroring the direction the peer asked for.
  sip::SessionDescription answer = *parsed;
  auto audio = answer.findMedia("audio");
  answer.media[*audio].setDirection(AnswerDirection(parsed->effectiveDirection(*audio)));
  noteHold(leg, wasHeld);
  respond(200, leg.sdp.anchor(std::move(answer), bridge_->addressFor(leg)));
}

void Call::noteHold(Leg& leg, bool wasHeld) {
  bridge_->updateForwarding(anchor_.get(), partner_.get());
  if (leg.held != wasHeld) emit(leg.held ? CallEventType::kHeld : CallEventType::kResumed, &leg);
}

absl::Status Call::answer() {
  if (!callerWaiting())
    return absl::FailedPreconditionError("call " + id_.str() + " has no caller waiting");
  if (!rung_.empty())
    return absl::FailedPreconditionError("call " + id_.str() + " is ringing its destination");
  if (!ensureBridge()) {
    fail(Cause::kCongestion, 503, "no media ports");
    return absl::ResourceExhaustedError("no media ports");
  }
  std::string body;
  if (anchor_->remote) {
    sip::SessionDescription offer = *anchor_->remote;
    bridge_->applyRemote(*anchor_, offer);
    body = anchor_->sdp.anchor(AnswerFor(offer), bridge_->addressFor(*anchor_));
  } else {
    anchor_->answerDueInAck = true;  // our 200 offers; the ACK answers
    body = anchor_->sdp.anchor(DefaultAudioOffer(), bridge_->addressFor(*anchor_));
  }
  anchor_->accept(body);
  anchor_->answered = dispatcher_.timeSource().systemTime();
  armSessionTimer(*anchor_);
  answeredAt_ = anchor_->answered;
  state_ = CallState::kAnswered;
  emit(CallEventType::kAnswered, anchor_.get());
  observer_.callAnswered(*this);
  return absl::OkStatus();
}

absl::Status Call::reject(const EndReason& reason) {
  if (!callerWaiting())
    return absl::FailedPreconditionError("call " + id_.str() + " has no unanswered caller");
  int status = reason.sipStatus != 0 ? reason.sipStatus : SipStatusFor(reason.cause);
  if (status < 300 || status > 699) status = 480;
  groupOver(reason.cause);
  fail(reason.cause, status, reason.detail);
  return absl::OkStatus();
}

void Call::hangup(const EndReason& reason) {
  if (ended()) return;
  if (!answered()) {
    groupOver(reason.cause);
    int status = SipStatusFor(reason.cause);
    fail(reason.cause, status >= 300 ? status : 480, reason.detail);
    return;
  }
  cancelRung(nullptr);
  if (partner_) partner_->hangup();
  if (anchor_) anchor_->hangup();
  if (transferor_) transferor_->hangup();
  finish(0, reason);
}

void Call::finish(int failStatus, EndReason reason) {
  if (ended()) return;
  bool wasAnswered = answered();
  state_ = CallState::kEnded;
  ringTimer_.reset();
  groups_.clear();
  destination_.clear();
  PBX_LOG(kInfo, "call", id_.str(), "ended: {}{}, {}", CauseName(reason.cause),
          reason.sipStatus ? " " + std::to_string(reason.sipStatus) : std::string(), reason.detail);
  emit(CallEventType::kCallEnded, nullptr, reason);
  observer_.callEnded(*this, wasAnswered ? 0 : failStatus, reason);
}

CallInfo Call::info() const {
  CallInfo out;
  out.id = id_;
  out.callUuid = callUuid_;
  out.state = state_;
  out.caller = caller_;
  out.dialled = dialled_;
  out.created = created_;
  out.answered = answeredAt_;
  if (partner_) {
    out.callee = partner_->party;
  } else if (!rung_.empty()) {
    out.callee = rung_.front()->party;
  } else {
    out.callee.number = dialled_;
  }
  for (const Leg* leg : {anchor_.get(), partner_.get()})
    if (leg && leg->state != LegState::kEnded) out.legs.push_back(leg->info());
  for (const auto& leg : rung_) out.legs.push_back(leg->info());
  return out;
}

}  // namespace pbx::call
