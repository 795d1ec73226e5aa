#include "lib/call/call.h"

#include <algorithm>

#include "lib/base/log.h"
#include "lib/call/sdp_negotiation.h"

namespace pbx::call {

using media::RelaySide;

namespace {
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
      created_(dispatcher.timeSource().systemTime()),
      mediaOperations_(dispatcher, [this](CallEventType type, const Leg* leg, std::string detail) {
        emit(type, leg, std::nullopt, std::move(detail));
      }) {}

Call::~Call() = default;

bool Call::ensureBridge() {
  if (bridge_) return true;
  media::RelayOptions options;
  options.events = &dispatcher_;
  options.onEvent = [this](const media::MediaEvent& event) { onMediaEvent(event); };
  auto relay = media_.createRelay(options);
  if (!relay.ok()) {
    PBX_LOG(kWarning, "call", id_.str(), "no media relay: {}", relay.status().message());
    return false;
  }
  bridge_.emplace(std::move(*relay), musicOnHold_);
  return true;
}

void Call::onMediaEvent(const media::MediaEvent& event) {
  Leg* leg = nullptr;
  for (Leg* candidate : {anchor_.get(), partner_.get()})
    if (candidate && candidate->side == event.side) leg = candidate;
  if (event.type == media::MediaEvent::Type::kDigit) {
    if (leg) digitFrom(*leg, event.digit);
    return;
  }
  mediaOperations_.onRelayEvent(event, leg);
}

void Call::digitFrom(Leg& leg, const media::DtmfDigit& digit) {
  const bool collecting = mediaOperations_.collecting(leg.id);
  mediaOperations_.digit(leg, digit);
  const bool feature = !collecting && answered() && anchor_ && partner_ &&
                       (&leg == anchor_.get() || &leg == partner_.get());
  observer_.callDigit(*this, leg, digit, feature);
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
                        std::vector<std::string> codecs, std::chrono::seconds sessionInterval,
                        bool weRefresh) {
  anchor_ = std::make_unique<Leg>(static_cast<LegObserver&>(*this), LegDirection::kInbound, caller_,
                                  RelaySide::kA, created_);
  anchor_->attach(dialog);
  anchor_->codecs = std::move(codecs);
  anchor_->remote = std::move(offer);
  if (sessionInterval.count() > 0) anchor_->setSessionTimer(sessionInterval, weRefresh);
  emit(CallEventType::kCallStarted, anchor_.get());
}

void Call::startOriginate(std::vector<RingGroup> source, std::vector<RingGroup> destination) {
  destination_ = std::move(destination);
  emit(CallEventType::kCallStarted, nullptr);
  ring(std::move(source));
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
    leg.takeAnswer(*parsed);
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
  // One codec, in the direction that answers the peer's: the one in use while it is still
  // offered (no switch), else the leg's best. The relay transcodes if the other leg differs.
  std::string codec = leg.sdp.lastSent() ? FirstCodec(*leg.sdp.lastSent()) : std::string();
  if (codec.empty() || !Offers(*parsed, codec))
    codec = PreferredCodec(*parsed, leg.codecs).value_or("");
  auto body = leg.answer(*parsed, AnswerFor(*parsed, codec), bridge_->addressFor(leg));
  if (!body.ok()) return respond(488, "");
  noteHold(leg, wasHeld);
  respond(200, *body);
}

void Call::noteHold(Leg& leg, bool wasHeld) {
  bridge_->refresh(anchor_.get(), partner_.get());
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
    auto answered = anchor_->answer(
        offer, AnswerFor(offer, PreferredCodec(offer, anchor_->codecs).value_or("")),
        bridge_->addressFor(*anchor_));
    if (!answered.ok()) return answered.status();
    body = std::move(*answered);
  } else {
    anchor_->answerDueInAck = true;  // our 200 offers; the ACK answers
    body = anchor_->offer(OwnOffer(anchor_->codecs), bridge_->addressFor(*anchor_));
  }
  anchor_->accept(body);
  anchor_->answered = dispatcher_.timeSource().systemTime();
  armSessionTimer(*anchor_);
  bridge_->refresh(anchor_.get(), partner_.get());
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
  mediaOperations_.abandon();
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
