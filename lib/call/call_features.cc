// The operations on answered calls: hold, transfers, park, joining legs of other calls
// (pickup, unpark, Replaces), DTMF; and the in-dialog requests that drive them (REFER, INFO).
#include <algorithm>
#include <cctype>
#include <cstring>

#include "absl/strings/ascii.h"
#include "lib/base/log.h"
#include "lib/call/call.h"
#include "lib/call/sdp_negotiation.h"

namespace pbx::call {

using media::RelaySide;

media::RelaySide Call::ringSide() const {
  return anchor_ ? media::Other(anchor_->side) : RelaySide::kA;
}

void Call::depart(std::unique_ptr<Leg> leg) {
  if (!leg) return;
  // A phone that REFERred hangs up itself once the final NOTIFY says the transfer worked; a
  // BYE of ours now could overtake that NOTIFY (nua sends a dialog's NOTIFYs one at a time),
  // so the phone gets kTransferorGrace to go first.
  Leg* raw = leg.get();
  retire(std::move(leg));
  if (!raw->up()) return;
  departures_.push_back(dispatcher_.createTimer([raw] { raw->hangup(); }));
  departures_.back()->enable(kTransferorGrace);
}

void Call::retire(std::unique_ptr<Leg> leg) {
  if (!leg) return;
  mediaOperations_.legGone(*leg);
  if (earlyMedia_ == leg.get()) earlyMedia_ = nullptr;
  retired_.push_back(std::move(leg));
}

Leg* Call::findLeg(LegId id) const {
  for (Leg* leg : {anchor_.get(), partner_.get(), transferor_.get()})
    if (leg && leg->id == id) return leg;
  for (const auto& leg : rung_)
    if (leg->id == id) return leg.get();
  return nullptr;
}

Leg* Call::findLeg(const sip::Replaces& replaces) const {
  for (Leg* leg : {anchor_.get(), partner_.get(), transferor_.get()})
    if (leg && leg->up() && leg->dialogId().matches(replaces)) return leg;
  for (const auto& leg : rung_)
    if (leg->up() && leg->dialogId().matches(replaces)) return leg.get();
  return nullptr;
}

std::unique_ptr<Leg> Call::release(Leg& leg) {
  for (auto* slot : {&anchor_, &partner_, &transferor_})
    if (slot->get() == &leg) return std::move(*slot);
  for (auto& l : rung_)
    if (l.get() == &leg) {
      std::unique_ptr<Leg> out = std::move(l);
      std::erase(rung_, nullptr);
      return out;
    }
  return nullptr;
}

void Call::setHold(Leg& leg, bool hold, std::function<void(absl::Status)> done) {
  if (!answered() || (&leg != anchor_.get() && &leg != partner_.get()) ||
      leg.state != LegState::kAnswered || !bridge_)
    return done(absl::FailedPreconditionError("leg " + leg.id.str() + " is not answered"));
  if (leg.heldByUs == hold) return done(absl::OkStatus());
  auto shown = sip::SessionDescription::Parse(leg.sdp.last());
  if (!shown.ok() || !shown->findMedia("audio"))
    return done(absl::FailedPreconditionError("leg " + leg.id.str() + " has no audio stream"));
  auto offer = WithDirection(
      std::move(*shown), hold ? sip::MediaDirection::kSendOnly : sip::MediaDirection::kSendRecv);
  Leg* target = &leg;
  leg.reinvite(leg.offer(std::move(offer), bridge_->addressFor(leg)),
               [this, target, hold, done](int status, const std::string& sdp) {
                 if (status < 200 || status >= 300)
                   return done(absl::UnavailableError("the phone refused the re-INVITE with " +
                                                      std::to_string(status)));
                 auto answer = sip::SessionDescription::Parse(sdp);
                 if (answer.ok()) {
                   target->takeAnswer(*answer);
                   bridge_->applyRemote(*target, *answer);
                 }
                 target->heldByUs = hold;
                 bridge_->refresh(anchor_.get(), partner_.get());
                 emit(hold ? CallEventType::kHeld : CallEventType::kResumed, target);
                 done(absl::OkStatus());
               });
}

absl::Status Call::transfer(Leg& stays, std::vector<RingGroup> groups, std::string target,
                            bool byRefer) {
  // A caller the program answered alone (an IVR) has no partner: it is the one that stays,
  // and whoever answers is bridged to it.
  if (!answered() || !anchor_ || (!partner_ && byRefer))
    return absl::FailedPreconditionError("call " + id_.str() + " is not a two-party call");
  if (!transferTarget_.empty() || transferor_)
    return absl::FailedPreconditionError("call " + id_.str() + " is being transferred");
  if (&stays != anchor_.get() && &stays != partner_.get())
    return absl::NotFoundError("call " + id_.str() + " has no leg " + stays.id.str());
  if (&stays == partner_.get()) std::swap(anchor_, partner_);
  transferAlone_ = partner_ == nullptr;
  transferor_ = std::move(partner_);
  transferByRefer_ = byRefer;
  transferTarget_ = target;
  failures_.clear();
  PBX_LOG(kInfo, "call", id_.str(), "{} transfers {} to {}",
          transferor_ ? transferor_->party.number : "the program", anchor_->party.number, target);
  if (byRefer) transferor_->notifyReferProgress(100, "Trying");
  ring(std::move(groups));
  return absl::OkStatus();
}

void Call::transferDone(int status, const std::string& reason) {
  if (!transferor_) return;
  if (transferByRefer_) transferor_->notifyReferProgress(status, reason);
  if (status >= 200 && status < 300) {
    if (transferByRefer_) return depart(std::move(transferor_));
    transferor_->hangup();
    retire(std::move(transferor_));
  }
}

absl::Status Call::park(Leg& stays, std::string slot, bool byRefer) {
  if (!answered() || !anchor_)
    return absl::FailedPreconditionError("call " + id_.str() + " is not answered");
  if (!transferTarget_.empty() || transferor_)
    return absl::FailedPreconditionError("call " + id_.str() + " is being transferred");
  if (&stays != anchor_.get() && &stays != partner_.get())
    return absl::NotFoundError("call " + id_.str() + " has no leg " + stays.id.str());
  if (&stays == partner_.get()) std::swap(anchor_, partner_);
  std::unique_ptr<Leg> leaving = std::move(partner_);
  parker_ = leaving ? leaving->party : anchor_->party;
  parkedSlot_ = std::move(slot);
  if (leaving) {
    if (byRefer) {
      leaving->notifyReferProgress(200, "OK");
      depart(std::move(leaving));
    } else {
      leaving->hangup();
      retire(std::move(leaving));
    }
  }
  // Nothing goes where the parker was until someone picks the call up.
  bridge_->relay().setRemote(media::Other(anchor_->side), SocketAddress());
  bridge_->setParked(true);
  bridge_->refresh(anchor_.get(), nullptr);  // music on hold while it waits
  PBX_LOG(kInfo, "call", id_.str(), "{} parked in {} by {}", anchor_->party.number, parkedSlot_,
          parker_.number);
  emit(CallEventType::kParked, anchor_.get(), std::nullopt, parkedSlot_);
  return absl::OkStatus();
}

void Call::adoptInbound(std::unique_ptr<Leg> leg, Leg* replaced, CallEventType event) {
  Leg& joining = *leg;
  joining.setObserver(static_cast<LegObserver&>(*this));
  auto refuse = [&](int status, const char* why) {
    PBX_LOG(kInfo, "call", id_.str(), "{} cannot join: {}", joining.party.number, why);
    joining.reject({status, why});
    retire(std::move(leg));
  };
  if (ended() || !bridge_) return refuse(481, "Call Does Not Exist");
  bool isRung = replaced && std::any_of(rung_.begin(), rung_.end(),
                                        [&](auto& l) { return l.get() == replaced; });

  if (callerWaiting() && (replaced == nullptr || isRung)) {
    // A pickup: the joining leg answers the ringing call. Both phones offered, so each gets an
    // answer with the same codec.
    std::optional<std::string> codec;
    if (anchor_->remote && joining.remote) {
      codec = CommonCodec(*anchor_->remote, *joining.remote);
      if (!codec) return refuse(488, "Not Acceptable Here");
    }
    for (auto& l : rung_) l->hangup();
    groupOver(Cause::kPickedUp);
    for (auto& l : rung_) retire(std::move(l));
    rung_.clear();
    groups_.clear();
    ringTimer_.reset();
    joining.side = ringSide();
    std::string toCaller, toJoining;
    if (anchor_->remote && joining.remote) {
      toCaller =
          anchor_->sdp.anchor(AnswerFor(*anchor_->remote, *codec), bridge_->addressFor(*anchor_));
      toJoining =
          joining.sdp.anchor(AnswerFor(*joining.remote, *codec), bridge_->addressFor(joining));
    } else if (joining.remote) {  // the caller made a late offer: offer it the picker's codec
      auto offer = WithDirection(AnswerFor(*joining.remote), sip::MediaDirection::kSendRecv);
      toCaller = anchor_->sdp.anchor(offer, bridge_->addressFor(*anchor_));
      anchor_->answerDueInAck = true;
      toJoining = joining.sdp.anchor(AnswerFor(*joining.remote), bridge_->addressFor(joining));
    } else {  // the picker made a late offer: offer it what the caller offered
      sip::SessionDescription callerSide = anchor_->remote ? *anchor_->remote : OwnOffer();
      if (!anchor_->remote) anchor_->answerDueInAck = true;
      toCaller = anchor_->sdp.anchor(anchor_->remote ? AnswerFor(callerSide) : callerSide,
                                     bridge_->addressFor(*anchor_));
      toJoining =
          joining.sdp.anchor(WithDirection(AnswerFor(callerSide), sip::MediaDirection::kSendRecv),
                             bridge_->addressFor(joining));
      joining.answerDueInAck = true;
    }
    if (anchor_->remote) bridge_->applyRemote(*anchor_, sip::SessionDescription(*anchor_->remote));
    if (joining.remote) bridge_->applyRemote(joining, sip::SessionDescription(*joining.remote));
    anchor_->accept(toCaller);
    joining.accept(toJoining);
    auto now = dispatcher_.timeSource().systemTime();
    anchor_->answered = joining.answered = answeredAt_ = now;
    armSessionTimer(*anchor_);
    partner_ = std::move(leg);
    state_ = CallState::kAnswered;
    bridge_->refresh(anchor_.get(), partner_.get());
    emit(event, partner_.get());
    emit(CallEventType::kBridged, partner_.get());
    observer_.callAnswered(*this);
    return;
  }

  // Unpark (no partner yet), or an INVITE with Replaces of an answered leg: the party that
  // stays is asked, with a re-INVITE, to take the joining phone's offer.
  Leg* stays = replaced ? other(*replaced) : anchor_.get();
  if (replaced && replaced != anchor_.get() && replaced != partner_.get())
    return refuse(481, "Call Does Not Exist");
  if (stays == nullptr || stays->state != LegState::kAnswered)
    return refuse(480, "Temporarily Unavailable");
  joining.side = replaced ? replaced->side : media::Other(stays->side);
  auto finishJoin = [this, replaced, event](std::unique_ptr<Leg> leg) {
    if (replaced) {
      replaced->hangup();
      retire(release(*replaced));
    }
    (anchor_ ? partner_ : anchor_) = std::move(leg);
    parkedSlot_.clear();
    bridge_->setParked(false);
    state_ = CallState::kAnswered;
    bridge_->refresh(anchor_.get(), partner_.get());
    Leg* joined = partner_ ? partner_.get() : anchor_.get();
    emit(event, joined);
    emit(CallEventType::kBridged, joined);
  };
  if (!joining.remote) {
    // A late offer: the joining phone is offered what the party that stays last sent.
    sip::SessionDescription offer = stays->offerOfItsParty();
    joining.answerDueInAck = true;
    joining.accept(joining.sdp.anchor(offer, bridge_->addressFor(joining)));
    joining.answered = dispatcher_.timeSource().systemTime();
    return finishJoin(std::move(leg));
  }
  sip::SessionDescription offer = WithDirection(*joining.remote, sip::MediaDirection::kSendRecv);
  auto pending = std::make_shared<std::unique_ptr<Leg>>(std::move(leg));
  Leg* stayer = stays;
  stays->reinvite(
      stays->sdp.anchor(offer, bridge_->addressFor(*stays)),
      [this, pending, stayer, finishJoin](int status, const std::string& sdp) mutable {
        Leg& joiner = **pending;
        auto answer = sip::SessionDescription::Parse(sdp);
        if (status < 200 || status >= 300 || !answer.ok() || !answer->findMedia("audio")) {
          PBX_LOG(kInfo, "call", id_.str(), "{} refused the joining offer: {}",
                  stayer->party.number, status);
          joiner.reject({488, "Not Acceptable Here"});
          retire(std::move(*pending));
          return;
        }
        bridge_->applyRemote(*stayer, *answer);
        bridge_->applyRemote(joiner, sip::SessionDescription(*joiner.remote));
        joiner.accept(joiner.sdp.anchor(*answer, bridge_->addressFor(joiner)));
        joiner.answered = dispatcher_.timeSource().systemTime();
        finishJoin(std::move(*pending));
      });
}

void Call::adoptInvite(sip::Dialog& dialog, Party party,
                       std::optional<sip::SessionDescription> offer, Leg* replaced,
                       CallEventType event) {
  auto leg =
      std::make_unique<Leg>(static_cast<LegObserver&>(*this), LegDirection::kInbound,
                            std::move(party), RelaySide::kA, dispatcher_.timeSource().systemTime());
  leg->attach(dialog);
  leg->remote = std::move(offer);
  adoptInbound(std::move(leg), replaced, event);
}

void Call::ringFromPark(std::vector<RingGroup> groups) {
  parkedSlot_.clear();
  leavingPark_ = true;
  failures_.clear();
  ring(std::move(groups));
}

sip::SessionDescription Call::offerReplacing(const Leg& replaced) const {
  const Leg* stays = other(replaced);
  return stays ? stays->offerOfItsParty() : OwnOffer();
}

void Call::adoptConfirmed(std::unique_ptr<Leg> leg, Leg& replaced, const std::string& answer,
                          bool replacedReferred) {
  Leg& joining = *leg;
  joining.setObserver(static_cast<LegObserver&>(*this));
  joining.side = replaced.side;
  auto parsed = sip::SessionDescription::Parse(answer);
  if (parsed.ok()) bridge_->applyRemote(joining, *parsed);
  std::unique_ptr<Leg> gone = release(replaced);
  (anchor_ ? partner_ : anchor_) = std::move(leg);
  if (replacedReferred) {
    depart(std::move(gone));
  } else {
    gone->hangup();
    retire(std::move(gone));
  }
  bridge_->refresh(anchor_.get(), partner_.get());
  emit(CallEventType::kTransferred, &joining, std::nullopt, joining.party.number);
  emit(CallEventType::kBridged, &joining);
}

void Call::armSessionTimer(Leg& leg) {
  if (leg.sessionInterval.count() <= 0 || leg.state != LegState::kAnswered || ended()) return;
  using std::chrono::seconds;
  Leg* target = &leg;
  if (leg.weRefresh) {
    // We refresh at half the interval (RFC 4028 10), with a re-INVITE offering what we
    // offered last; a refresh the peer refuses with 408 or 481 ends the session.
    leg.sessionTimer = dispatcher_.createTimer([this, target] {
      target->reinvite(target->sdp.last(), [this, target](int status, const std::string& sdp) {
        if (status == 408 || status == 481) {
          hangup({Cause::kSessionExpired, status, "the session refresh failed"});
          return;
        }
        if (status >= 200 && status < 300) {
          auto answer = sip::SessionDescription::Parse(sdp);
          if (answer.ok() && bridge_) bridge_->applyRemote(*target, *answer);
        }
        armSessionTimer(*target);
      });
    });
    leg.sessionTimer->enable(leg.sessionInterval / 2);
    return;
  }
  // The peer refreshes; without a refresh we end the session a little before it expires
  // (RFC 4028 10: the smaller of 32 s and a third of the interval).
  seconds margin = std::min(seconds(32), leg.sessionInterval / 3);
  leg.sessionTimer = dispatcher_.createTimer([this, target] {
    PBX_LOG(kInfo, "call", id_.str(), "{}'s session expired without a refresh",
            target->party.number);
    hangup({Cause::kSessionExpired, 0, "session timer expired"});
  });
  leg.sessionTimer->enable(leg.sessionInterval - margin);
}

absl::Status Call::earlyMedia() {
  if (!callerWaiting() || !rung_.empty())
    return absl::FailedPreconditionError("call " + id_.str() + " has no caller waiting");
  if (!anchor_->remote)
    return absl::FailedPreconditionError(
        "call " + id_.str() + " came without an offer: an unreliable 183 cannot carry one");
  if (!ensureBridge()) return absl::ResourceExhaustedError("no media ports");
  sip::SessionDescription offer = *anchor_->remote;
  bridge_->applyRemote(*anchor_, offer);
  anchor_->sendProvisional(183, "Session Progress",
                           anchor_->sdp.anchor(AnswerFor(offer), bridge_->addressFor(*anchor_)));
  ringingSent_ = true;
  state_ = CallState::kEarly;
  emit(CallEventType::kEarlyMedia, anchor_.get());
  return absl::OkStatus();
}

bool Call::lone() const {
  return answered() && anchor_ && anchor_->state == LegState::kAnswered && !partner_ &&
         rung_.empty() && !transferor_ && transferTarget_.empty() && parkedSlot_.empty() &&
         bridge_.has_value();
}

sip::SessionDescription Call::offerForPartner() const {
  return anchor_ ? anchor_->offerOfItsParty() : OwnOffer();
}

SocketAddress Call::partnerAddress() const {
  return bridge_->relay().localAddress(media::Other(anchor_->side));
}

void Call::adoptPartner(std::unique_ptr<Leg> leg, const std::string& answer) {
  leg->setObserver(static_cast<LegObserver&>(*this));
  leg->side = media::Other(anchor_->side);
  auto parsed = sip::SessionDescription::Parse(answer);
  if (parsed.ok()) bridge_->applyRemote(*leg, *parsed);
  partner_ = std::move(leg);
  bridge_->refresh(anchor_.get(), partner_.get());
  emit(CallEventType::kBridged, partner_.get());
}

void Call::unbridged(const Call& alone) {
  // Nothing goes where the partner was any more.
  if (bridge_ && anchor_) bridge_->relay().setRemote(media::Other(anchor_->side), SocketAddress());
  CallEvent event;
  event.type = CallEventType::kUnbridged;
  if (alone.anchor()) {
    event.leg = alone.anchor()->id;
    event.party = alone.anchor()->party;
  }
  event.detail = alone.id().str();
  observer_.callEvent(*this, std::move(event));
}

absl::StatusOr<SocketAddress> Call::aloneAddress() {
  if (!ensureBridge()) return absl::ResourceExhaustedError("no media ports");
  return bridge_->relay().localAddress(RelaySide::kA);
}

void Call::startAlone(std::unique_ptr<Leg> leg, const std::string& answer) {
  leg->setObserver(static_cast<LegObserver&>(*this));
  leg->side = RelaySide::kA;
  auto parsed = sip::SessionDescription::Parse(answer);
  if (parsed.ok()) bridge_->applyRemote(*leg, *parsed);
  anchor_ = std::move(leg);
  state_ = CallState::kAnswered;
  answeredAt_ = anchor_->answered;
  bridge_->refresh(anchor_.get(), nullptr);
  emit(CallEventType::kCallStarted, anchor_.get());
}

void Call::legRefer(Leg& leg, const sip::ReferRequest& refer, sip::ReferResponder respond) {
  if (!answered() || (&leg != anchor_.get() && &leg != partner_.get()) || !other(leg))
    return respond(603);
  observer_.callRefer(*this, leg, refer, std::move(respond));
}

}  // namespace pbx::call
