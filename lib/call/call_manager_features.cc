// The call manager's side of hold, transfers, park, pickup, Replaces and DTMF: finding the
// calls and legs an operation names, and the slots of the parking lot.
#include <algorithm>

#include "lib/base/log.h"
#include "lib/call/call_manager.h"
#include "lib/call/sdp_negotiation.h"
#include "pbx/base/status.h"

namespace pbx::call {
namespace {
absl::Status NoCall(CallId id) { return absl::NotFoundError("no call " + id.str()); }

bool SharesGroup(const Extension* a, const Extension* b) {
  static const std::vector<std::string> kUnnamed = {""};
  const auto& ga = a && !a->pickupGroups.empty() ? a->pickupGroups : kUnnamed;
  const auto& gb = b && !b->pickupGroups.empty() ? b->pickupGroups : kUnnamed;
  return std::any_of(ga.begin(), ga.end(),
                     [&](const std::string& g) { return std::count(gb.begin(), gb.end(), g); });
}
}  // namespace

void CallManager::setHold(CallId id, LegId legId, bool hold, Completion done) {
  Call* call = find(id);
  if (call == nullptr) return done(NoCall(id));
  std::vector<Leg*> legs;
  if (legId.valid()) {
    Leg* leg = call->findLeg(legId);
    if (leg == nullptr)
      return done(absl::NotFoundError("call " + id.str() + " has no leg " + legId.str()));
    legs.push_back(leg);
  } else {
    for (Leg* leg : {call->anchor(), call->partner()})
      if (leg && leg->state == LegState::kAnswered) legs.push_back(leg);
  }
  if (legs.empty())
    return done(absl::FailedPreconditionError("call " + id.str() + " is not answered"));
  // Done once every leg answered; the first failure is the result.
  struct Pending {
    size_t left;
    absl::Status status;
    Completion done;
  };
  auto pending = std::make_shared<Pending>(Pending{legs.size(), absl::OkStatus(), std::move(done)});
  for (Leg* leg : legs)
    call->setHold(*leg, hold, [pending](absl::Status status) {
      if (pending->status.ok()) pending->status = status;
      if (--pending->left == 0) pending->done(pending->status);
    });
}

absl::Status CallManager::blindTransfer(CallId id, const std::string& destination, LegId stays) {
  Call* call = find(id);
  if (call == nullptr) return NoCall(id);
  if (destination.empty()) return absl::InvalidArgumentError("a transfer needs a destination");
  Leg* leg = stays.valid() ? call->findLeg(stays) : call->anchor();
  if (leg == nullptr) return absl::NotFoundError("call " + id.str() + " has no leg " + stays.str());
  if (destination == options_.numbering.parkExtension) return park(id, leg->id).status();
  auto groups = resolveAll({{destination}}, routing::RingStrategy::kParallel, "", leg->party);
  bool any = std::any_of(groups.begin(), groups.end(), [](auto& g) { return !g.devices.empty(); });
  if (!any) return absl::NotFoundError(destination + " has nothing that can ring");
  return call->transfer(*leg, std::move(groups), destination, /*byRefer=*/false);
}

void CallManager::attendedTransfer(CallId firstId, CallId secondId, Completion done) {
  Call* first = find(firstId);
  Call* second = find(secondId);
  if (first == nullptr) return done(NoCall(firstId));
  if (second == nullptr) return done(NoCall(secondId));
  if (first == second) return done(absl::InvalidArgumentError("the two calls are the same"));
  // The transferor: the party the two calls share.
  for (Leg* a : {first->anchor(), first->partner()})
    for (Leg* b : {second->anchor(), second->partner()})
      if (a && b &&
          ((!a->party.account.empty() && a->party.account == b->party.account) ||
           (a->party.account.empty() && a->party.number == b->party.number)))
        return joinCalls(*first, *a, *second, *b, /*byRefer=*/false, std::move(done));
  done(absl::InvalidArgumentError("calls " + firstId.str() + " and " + secondId.str() +
                                  " have no party in common"));
}

absl::StatusOr<std::string> CallManager::park(CallId id, LegId stays) {
  Call* call = find(id);
  if (call == nullptr) return NoCall(id);
  Leg* leg = stays.valid() ? call->findLeg(stays) : call->anchor();
  if (leg == nullptr) return absl::NotFoundError("call " + id.str() + " has no leg " + stays.str());
  auto slot = freeSlot();
  if (!slot) return absl::ResourceExhaustedError("every park slot is taken");
  PBX_RETURN_IF_ERROR(call->park(*leg, *slot, /*byRefer=*/false));
  parkedSlots_[*slot] = id;
  armParkTimer(*call);
  return *slot;
}

absl::StatusOr<CallId> CallManager::unpark(const std::string& slot,
                                           const std::string& destination) {
  Call* call = parkedIn(slot);
  if (call == nullptr) return absl::NotFoundError("no call is parked in " + slot);
  Leg* parked = call->anchor();
  auto groups = resolveAll({{destination}}, routing::RingStrategy::kParallel, "",
                           parked ? parked->party : Party{});
  if (groups.front().devices.empty())
    return absl::UnavailableError(destination + " has nothing that can ring");
  parkedSlots_.erase(slot);
  call->parkTimer.reset();
  call->ringFromPark(std::move(groups));
  return call->id();
}

absl::StatusOr<CallId> CallManager::pickup(const std::string& ringing,
                                           const std::string& destination) {
  Call* call = ringingFor(ringing, Party{}, CallId());
  if (call == nullptr) return absl::NotFoundError("no call rings at " + ringing);
  auto groups = resolveAll({{destination}}, routing::RingStrategy::kParallel, "", call->caller());
  PBX_RETURN_IF_ERROR(call->addRinging(std::move(groups.front())));
  return call->id();
}

absl::Status CallManager::sendDtmf(CallId id, LegId legId, const std::string& digits) {
  Call* call = find(id);
  if (call == nullptr) return NoCall(id);
  if (!legId.valid()) return absl::InvalidArgumentError("name the leg the digits go to");
  Leg* leg = call->findLeg(legId);
  if (leg == nullptr) return absl::NotFoundError("call " + id.str() + " has no leg " + legId.str());
  if (digits.empty() || digits.size() > 64)
    return absl::InvalidArgumentError("1 to 64 digits, not " + std::to_string(digits.size()));
  return call->sendDtmf(*leg, digits);
}

absl::Status CallManager::earlyMedia(CallId id) {
  Call* call = find(id);
  if (call == nullptr) return NoCall(id);
  if (call->decisionTimer) call->decisionTimer.reset();
  return call->earlyMedia();
}

void CallManager::bridge(CallId firstId, CallId secondId, Completion done) {
  Call* first = find(firstId);
  Call* second = find(secondId);
  if (first == nullptr) return done(NoCall(firstId));
  if (second == nullptr) return done(NoCall(secondId));
  if (first == second) return done(absl::InvalidArgumentError("the two calls are the same"));
  if (!first->lone() || !second->lone())
    return done(absl::FailedPreconditionError(
        "bridge() takes two answered calls of one leg each (answer() or unbridge() them)"));
  Leg* moving = second->anchor();
  std::string body = moving->sdp.anchor(first->offerForPartner(), first->partnerAddress());
  LegId movingId = moving->id;
  moving->reinvite(body, [=, this, alive = alive_](int status, const std::string& sdp) {
    if (!*alive) return;
    Call* into = find(firstId);
    Call* from = find(secondId);
    Leg* leg = from ? from->findLeg(movingId) : nullptr;
    if (into == nullptr || leg == nullptr || !into->lone())
      return done(absl::AbortedError("a party left before the bridge was made"));
    if (status < 200 || status >= 300)
      return done(
          absl::UnavailableError("the phone refused the re-INVITE with " + std::to_string(status)));
    into->adoptPartner(from->release(*leg), sdp);
    from->hangup({Cause::kNormalClearing, 0, "its party was bridged into " + firstId.str()});
    done(absl::OkStatus());
  });
}

void CallManager::unbridge(CallId id, std::function<void(absl::StatusOr<CallId>)> done) {
  Call* call = find(id);
  if (call == nullptr) return done(NoCall(id));
  Leg* leaving = call->partner();
  if (!call->answered() || leaving == nullptr || leaving->state != LegState::kAnswered ||
      call->ringing())
    return done(absl::FailedPreconditionError("call " + id.str() + " has no two legs to part"));
  CallId aloneId = CallId::Next();
  Entry& entry = add(std::make_unique<Call>(aloneId, dispatcher_, stack_, media_,
                                            static_cast<CallObserver&>(*this), leaving->party,
                                            leaving->party.number, call->callUuid()));
  Call& alone = *entry.call;
  auto address = alone.aloneAddress();
  if (!address.ok()) {
    alone.hangup({Cause::kCongestion, 0, "no media ports"});
    return done(address.status());
  }
  std::string body = leaving->sdp.anchor(leaving->offerOfItsParty(), *address);
  LegId leavingId = leaving->id;
  leaving->reinvite(body, [=, this, alive = alive_](int status, const std::string& sdp) {
    if (!*alive) return;
    Call* from = find(id);
    Call* to = find(aloneId);
    Leg* leg = from ? from->findLeg(leavingId) : nullptr;
    if (to == nullptr || leg == nullptr) {
      if (to) to->hangup({Cause::kNormalClearing, 0, "its party left"});
      return done(absl::AbortedError("a party left before the legs were parted"));
    }
    if (status < 200 || status >= 300) {
      to->hangup({Cause::kNormalClearing, 0, "the unbridge was refused"});
      return done(
          absl::UnavailableError("the phone refused the re-INVITE with " + std::to_string(status)));
    }
    to->startAlone(from->release(*leg), sdp);
    from->unbridged(*to);
    done(aloneId);
  });
}

// ---- requests from phones -------------------------------------------------------------

void CallManager::callRefer(Call& call, Leg& leg, const sip::ReferRequest& refer,
                            sip::ReferResponder respond) {
  Leg* stays = call.other(leg);
  if (stays == nullptr) return respond(603);
  if (refer.replaces) {
    auto [second, target] = findLeg(*refer.replaces);
    if (second == nullptr || second == &call) return respond(481);
    respond(202);
    leg.notifyReferProgress(100, "Trying");
    joinCalls(call, leg, *second, *target, /*byRefer=*/true, [](absl::Status) {});
    return;
  }
  const std::string& target = refer.referTo.user;
  if (target.empty()) return respond(400);
  respond(202);
  if (target == options_.numbering.parkExtension) {
    auto slot = freeSlot();
    if (!slot) {
      leg.notifyReferProgress(486, "Busy Here");
      return;
    }
    if (call.park(*stays, *slot, /*byRefer=*/true).ok()) {
      parkedSlots_[*slot] = call.id();
      armParkTimer(call);
    }
    return;
  }
  // Any other target, an extension or a host's user, rings like a dialled number.
  auto groups = resolveAll(
      {{refer.referTo.host == options_.domain || refer.referTo.host.empty() ? target
                                                                            : refer.referTo.str()}},
      routing::RingStrategy::kParallel, "", stays->party);
  if (auto status = call.transfer(*stays, std::move(groups), target, /*byRefer=*/true);
      !status.ok()) {
    PBX_LOG(kInfo, "call", call.id().str(), "REFER to {} refused: {}", target, status.message());
    leg.notifyReferProgress(503, "Service Unavailable");
  }
}

void CallManager::inviteReplacing(sip::Dialog& dialog, const sip::InviteRequest& request,
                                  Party caller, std::optional<sip::SessionDescription> offer) {
  auto [call, replaced] = findLeg(*request.replaces);
  if (call == nullptr) {
    PBX_LOG(kInfo, "call", "", "INVITE {} replaces a dialog we do not have", request.callId);
    metrics_.failed(481).inc();
    return dialog.reject({481, "Call/Transaction Does Not Exist"});
  }
  if (request.replaces->earlyOnly && replaced->state == LegState::kAnswered)
    return dialog.reject({486, "Busy Here"});
  bool early = replaced->state != LegState::kAnswered;
  PBX_LOG(kInfo, "call", call->id().str(), "{} replaces {}", caller.number, replaced->party.number);
  call->adoptInvite(dialog, std::move(caller), std::move(offer), replaced,
                    early ? CallEventType::kPickedUp : CallEventType::kTransferred);
}

// ---- decisions that join calls ----------------------------------------------------------

void CallManager::parkCaller(Call& call) {
  auto slot = freeSlot();
  if (!slot) {
    (void)call.reject({Cause::kCongestion, 486, "every park slot is taken"});
    return;
  }
  if (!call.answer().ok() || !call.anchor()) return;
  if (call.park(*call.anchor(), *slot, /*byRefer=*/false).ok()) {
    parkedSlots_[*slot] = call.id();
    armParkTimer(call);
  }
}

void CallManager::unparkCaller(Call& call, const std::string& slot) {
  Call* parked = parkedIn(slot);
  if (parked == nullptr) {
    (void)call.reject({Cause::kNoRoute, 404, "no call is parked in " + slot});
    return;
  }
  parkedSlots_.erase(slot);
  parked->parkTimer.reset();
  joinInto(*parked, call, CallEventType::kPickedUp);
}

void CallManager::pickupCaller(Call& call, const std::string& target) {
  Call* ringing = ringingFor(target, call.caller(), call.id());
  if (ringing == nullptr) {
    (void)call.reject({Cause::kUnavailable, 480, "nothing to pick up"});
    return;
  }
  joinInto(*ringing, call, CallEventType::kPickedUp);
}

void CallManager::joinInto(Call& target, Call& transient, CallEventType event) {
  Leg* caller = transient.anchor();
  if (caller == nullptr) return;
  PBX_LOG(kInfo, "call", target.id().str(), "{} joins from {}", caller->party.number,
          transient.id().str());
  std::unique_ptr<Leg> leg = transient.release(*caller);
  transient.hangup({Cause::kPickedUp, 0, "joined call " + target.id().str()});
  target.adoptInbound(std::move(leg), nullptr, event);
}

void CallManager::joinCalls(Call& first, Leg& transferor, Call& second, Leg& transferor2,
                            bool byRefer, Completion done) {
  // Normally the second call's other party moves into the first call, in the transferor's
  // place. A second call with nobody else in it (the transferor parked itself by calling the
  // park extension) takes the first call's other party instead: that party is parked.
  Leg* stays = first.other(transferor);
  Leg* otherParty = second.other(transferor2);
  bool intoFirst = otherParty != nullptr;
  Call& into = intoFirst ? first : second;
  Call& from = intoFirst ? second : first;
  Leg& replaced = intoFirst ? transferor : transferor2;
  Leg* moving = intoFirst ? otherParty : stays;
  auto fail = [&](absl::Status status) {
    if (byRefer) transferor.notifyReferProgress(503, "Service Unavailable");
    done(status);
  };
  if (stays == nullptr || moving == nullptr || !first.answered() || !second.answered() ||
      moving->state != LegState::kAnswered)
    return fail(absl::FailedPreconditionError("both calls must be answered"));
  std::string body = moving->sdp.anchor(into.offerReplacing(replaced), into.addressFor(replaced));
  CallId intoId = into.id(), fromId = from.id(), firstId = first.id();
  LegId replacedId = replaced.id, movingId = moving->id, referId = transferor.id;
  PBX_LOG(
      kInfo, "call", intoId.str(), "attended transfer: {} joins {} from {}", moving->party.number,
      intoFirst ? stays->party.number : "the call parked in " + second.parkedSlot(), fromId.str());
  moving->reinvite(body, [=, this, alive = alive_](int status, const std::string& sdp) {
    if (!*alive) return;
    Call* target = find(intoId);
    Call* source = find(fromId);
    Call* referCall = find(firstId);
    Leg* out = target ? target->findLeg(replacedId) : nullptr;
    Leg* joining = source ? source->findLeg(movingId) : nullptr;
    Leg* referrer = referCall ? referCall->findLeg(referId) : nullptr;
    if (out == nullptr || joining == nullptr) {
      if (joining && source) source->hangup({Cause::kNormalClearing, 0, "transfer target left"});
      return done(absl::AbortedError("a party left during the transfer"));
    }
    if (status < 200 || status >= 300) {
      if (byRefer && referrer) referrer->notifyReferProgress(status >= 300 ? status : 500, "");
      return done(absl::UnavailableError("the transfer target refused the re-INVITE with " +
                                         std::to_string(status)));
    }
    if (byRefer && referrer) referrer->notifyReferProgress(200, "OK");
    target->adoptConfirmed(source->release(*joining), *out, sdp, byRefer && out == referrer);
    source->hangup({Cause::kAttendedTransfer, 0, "its party moved to " + intoId.str()});
    done(absl::OkStatus());
  });
}

// ---- lookups and the parking lot ----------------------------------------------------

std::pair<Call*, Leg*> CallManager::findLeg(const sip::Replaces& replaces) {
  for (auto& [id, entry] : calls_) {
    if (entry.call->ended()) continue;
    if (Leg* leg = entry.call->findLeg(replaces)) return {entry.call.get(), leg};
  }
  return {nullptr, nullptr};
}

Call* CallManager::parkedIn(const std::string& slot) {
  auto it = parkedSlots_.find(slot);
  if (it == parkedSlots_.end()) return nullptr;
  Call* call = find(it->second);
  if (call == nullptr || call->parkedSlot() != slot) {
    parkedSlots_.erase(it);
    return nullptr;
  }
  return call;
}

std::optional<std::string> CallManager::freeSlot() {
  for (const auto& slot : options_.numbering.parkSlots)
    if (parkedIn(slot) == nullptr) return slot;
  return std::nullopt;
}

void CallManager::armParkTimer(Call& call) {
  if (options_.parkTimeout.count() <= 0) return;
  CallId id = call.id();
  call.parkTimer = dispatcher_.createTimer([this, id] { onParkTimeout(id); });
  call.parkTimer->enable(options_.parkTimeout);
}

void CallManager::onParkTimeout(CallId id) {
  Call* call = find(id);
  if (call == nullptr || call->parkedSlot().empty()) return;
  std::string slot = call->parkedSlot();
  parkedSlots_.erase(slot);
  const Party& parker = call->parker();
  Leg* parked = call->anchor();
  if (parked == nullptr || parker.account == parked->party.account) {
    call->hangup({Cause::kNoAnswer, 0, "nobody picked the call up from " + slot});
    return;
  }
  PBX_LOG(kInfo, "call", id.str(), "parked in {} too long: ringing {} again", slot, parker.number);
  call->ringFromPark({resolveAccount(parker)});
}

Call* CallManager::ringingFor(const std::string& extension, const Party& picker, CallId except) {
  const Extension* pickerExtension = directory_.extension(picker.number);
  Call* best = nullptr;
  for (auto& [id, entry] : calls_) {
    Call* call = entry.call.get();
    if (call->ended() || id == except || !call->callerWaiting() || !call->ringing()) continue;
    bool match = false;
    for (const auto& leg : call->rungLegs()) {
      if (leg->party.number == picker.number) continue;
      match = extension.empty()
                  ? SharesGroup(pickerExtension, directory_.extension(leg->party.number))
                  : leg->party.number == extension;
      if (match) break;
    }
    if (match && (best == nullptr || best->id() < id)) best = call;
  }
  return best;
}

}  // namespace pbx::call
