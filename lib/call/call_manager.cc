#include "lib/call/call_manager.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "lib/base/log.h"

namespace pbx::call {
namespace {
constexpr std::chrono::seconds kSweepInterval{1};
}  // namespace

CallLayerOptions CallLayerOptions::From(const Options& o) {
  CallLayerOptions c;
  c.domain = o.sip.domain;
  c.noAnswerTimeout = o.sip.noAnswerTimeout;
  c.rtpTimeout = o.media.rtpTimeout;
  c.decisionTimeout = o.routing.decisionTimeout;
  c.numbering = o.routing.numbering;
  c.parkTimeout = o.routing.parkTimeout;
  c.features = o.routing.features;
  c.sessionTimer = o.sip.sessionTimer;
  c.musicOnHold = o.media.musicOnHold;
  return c;
}

CallManager::CallManager(Dispatcher& dispatcher, sip::SignalingStack& stack,
                         media::MediaEngine& media, CallMetrics& metrics, EventLog& events,
                         const DirectoryIndex& directory, const Registrar& registrar,
                         std::shared_ptr<SignalingPoster> poster, const CallLayerOptions& options)
    : dispatcher_(dispatcher),
      stack_(stack),
      media_(media),
      metrics_(metrics),
      events_(events),
      directory_(directory),
      registrar_(registrar),
      poster_(std::move(poster)),
      options_(options),
      dialplan_(defaultDialplan()) {
  sweepTimer_ = dispatcher_.createTimer([this] { sweep(); });
  sweepTimer_->enable(kSweepInterval);
}

CallManager::~CallManager() {
  *alive_ = false;
  calls_.clear();
}

Call* CallManager::find(CallId id) {
  auto it = calls_.find(id);
  return it == calls_.end() || it->second.call->ended() ? nullptr : it->second.call.get();
}

CallManager::Entry& CallManager::add(std::unique_ptr<Call> call) {
  metrics_.started.inc();
  CallId id = call->id();
  Entry& entry = calls_[id];
  entry.call = std::move(call);
  entry.call->setMusicOnHold(options_.musicOnHold);
  metrics_.activeCalls.set(static_cast<double>(calls_.size()));
  return entry;
}

Party CallManager::partyOfNumber(const std::string& number) const {
  Party party;
  party.number = number;
  if (const Extension* extension = directory_.extension(number))
    party.displayName = extension->displayName;
  return party;
}

void CallManager::onInvite(sip::Dialog& dialog, const sip::InviteRequest& request,
                           const Account& account) {
  auto refuse = [&](int status, const char* reason) {
    metrics_.failed(status).inc();
    PBX_LOG(kInfo, "call", "", "INVITE {} from {} refused: {} {}", request.callId, account.username,
            status, reason);
    dialog.reject({status, reason});
  };
  std::optional<sip::SessionDescription> offer;  // none: a late offer, pbxd makes one
  if (!request.sdp.empty()) {
    auto parsed = sip::SessionDescription::Parse(request.sdp);
    if (!parsed.ok()) {
      PBX_LOG(kInfo, "call", "", "INVITE {}: bad SDP: {}", request.callId,
              parsed.status().message());
      return refuse(488, "Not Acceptable Here (malformed SDP)");
    }
    if (!parsed->findMedia("audio")) return refuse(488, "Not Acceptable Here (no audio stream)");
    // The account's SRTP policy must accept the offer's media (AnswerCrypto decides).
    sip::SessionDescription probe = *parsed;
    if (auto keys = AnswerCrypto(*parsed, account.srtp, probe); !keys.ok()) {
      PBX_LOG(kInfo, "call", "", "INVITE {}: {}", request.callId, keys.status().message());
      return refuse(488, "Not Acceptable Here (SRTP policy)");
    }
    offer = std::move(*parsed);
  }

  Party caller;
  caller.account = account.username;
  const Extension* from = directory_.extensionOfAccount(account.username);
  caller.number = from ? from->number : account.username;
  caller.displayName =
      request.from.displayName.empty() && from ? from->displayName : request.from.displayName;
  // An INVITE with Replaces joins the call whose leg it names instead of routing a new one.
  if (request.replaces) return inviteReplacing(dialog, request, caller, std::move(offer));

  // RFC 4028, for callers that ask for session timers: an interval no shorter than our Min-SE
  // (else 422), refreshed by the caller when it supports the extension, by us when it does not.
  std::chrono::seconds sessionInterval{0};
  bool weRefresh = false;
  const auto& st = request.sessionTimer;
  if (st.expires > 0 || st.supported) {
    auto minSE = options_.sessionTimer.minSE;
    if (st.expires > 0 && std::chrono::seconds(st.expires) < minSE) {
      metrics_.failed(422).inc();
      PBX_LOG(kInfo, "call", "", "INVITE {}: Session-Expires {} is below our Min-SE {}",
              request.callId, st.expires, minSE.count());
      return dialog.reject({422, "Session Interval Too Small", std::nullopt, std::nullopt,
                            static_cast<uint32_t>(minSE.count())});
    }
    sessionInterval = st.expires > 0 ? std::chrono::seconds(st.expires)
                                     : std::max(options_.sessionTimer.interval, minSE);
    sessionInterval = std::max(sessionInterval, std::chrono::seconds(st.minSE));
    weRefresh = !st.supported || st.refresher == sip::SessionTimerRequest::Refresher::kUas;
  }
  CallId id = CallId::Next();
  PBX_LOG(kInfo, "call", id.str(), "{} calls {}, SIP Call-ID {}", account.username,
          request.requestUri.user, request.callId);
  Entry& entry =
      add(std::make_unique<Call>(id, dispatcher_, stack_, media_, static_cast<CallObserver&>(*this),
                                 caller, request.requestUri.user, std::string()));
  Call& call = *entry.call;
  call.startInbound(dialog, std::move(offer), account.codecs, sessionInterval, weRefresh);
  call.anchor()->srtp = account.srtp;
  route(call, request);
}

void CallManager::route(Call& call, const sip::InviteRequest& request) {
  routing::IncomingCall incoming;
  incoming.id = call.id();
  incoming.caller = call.caller();
  incoming.destination = request.requestUri.user;
  incoming.requestUri = request.requestUri.str();
  incoming.sipCallId = request.callId;
  incoming.userAgent = request.userAgent;

  // A decision made inside route() is applied at once; one made later, on any thread, is
  // posted back to this thread. Only the first decision counts.
  struct Pending {
    std::atomic<bool> decided{false};
    std::thread::id thread = std::this_thread::get_id();
    bool inRoute = true;  // read and written on the signaling thread only
    std::optional<routing::Decision> now;
  };
  auto pending = std::make_shared<Pending>();
  CallId id = call.id();
  routing::DecisionCallback decide = [pending, poster = poster_, alive = alive_, this,
                                      id](routing::Decision decision) {
    if (pending->decided.exchange(true)) return;
    if (std::this_thread::get_id() == pending->thread && pending->inRoute) {
      pending->now = std::move(decision);
      return;
    }
    poster->post([alive, this, id, decision = std::move(decision)]() mutable {
      if (*alive) apply(id, std::move(decision));
    });
  };
  call.dialplan = dialplan_;
  try {
    call.dialplan->route(incoming, decide);
  } catch (const std::exception& e) {
    PBX_LOG(kError, "call", id.str(), "the dialplan threw: {}", e.what());
    if (!pending->decided.exchange(true))
      pending->now = routing::Decision::Reject(Cause::kDialplanError);
  } catch (...) {
    PBX_LOG(kError, "call", id.str(), "the dialplan threw");
    if (!pending->decided.exchange(true))
      pending->now = routing::Decision::Reject(Cause::kDialplanError);
  }
  pending->inRoute = false;
  if (pending->now) return apply(id, std::move(*pending->now));

  // The caller hears ringing while the dialplan decides, for a bounded time.
  call.sendRinging();
  call.decisionTimer = dispatcher_.createTimer([this, id] {
    Call* late = find(id);
    if (late == nullptr || !late->undecided()) return;
    PBX_LOG(kWarning, "call", id.str(), "the dialplan decided nothing in {}s",
            options_.decisionTimeout.count());
    (void)late->reject({Cause::kDialplanError, 500, "the dialplan decided nothing in time"});
  });
  call.decisionTimer->enable(options_.decisionTimeout);
}

void CallManager::apply(CallId id, routing::Decision decision) {
  auto it = calls_.find(id);
  if (it == calls_.end() || it->second.call->ended()) return;
  Call& call = *it->second.call;
  call.decisionTimer.reset();
  if (!call.undecided()) {
    PBX_LOG(kInfo, "call", id.str(), "a dialplan decision came after the call moved on: ignored");
    return;
  }
  if (!decision.callUuid.empty()) call.setCallUuid(decision.callUuid);
  switch (decision.kind) {
    case routing::Decision::Kind::kRing:
      call.ring(
          resolveAll(decision.targets, decision.strategy, call.caller().account, call.caller()));
      return;
    case routing::Decision::Kind::kReject:
      (void)call.reject({decision.cause, decision.sipStatus, "refused by the dialplan"});
      return;
    case routing::Decision::Kind::kAnswer:
      (void)call.answer();
      return;
    case routing::Decision::Kind::kPark:
      return parkCaller(call);
    case routing::Decision::Kind::kUnpark:
      return unparkCaller(call, decision.slot);
    case routing::Decision::Kind::kPickup:
      return pickupCaller(call, decision.target);
  }
}

RingGroup CallManager::resolveAccount(const Party& party) const {
  RingGroup group;
  group.timeout = options_.noAnswerTimeout;
  const Binding* binding = party.account.empty() ? nullptr : registrar_.binding(party.account);
  if (binding == nullptr) {
    group = resolve({party.number}, "", Party{});
    return group;
  }
  RingDevice device;
  device.party = party;
  if (const Account* account = directory_.account(party.account)) {
    device.codecs = account->codecs;
    device.srtp = account->srtp;
  }
  device.invite.requestUri = binding->contact;
  device.invite.nextHop = binding->source;
  device.invite.to.uri = {party.number, options_.domain, 0, ""};
  device.invite.to.displayName = party.displayName;
  group.devices.push_back(std::move(device));
  return group;
}

RingGroup CallManager::resolve(const routing::RingTarget& target, const std::string& exceptAccount,
                               const Party& from) const {
  RingGroup group;
  group.timeout = target.timeout.count() > 0 ? target.timeout : options_.noAnswerTimeout;
  sip::NameAddr fromAddress{from.displayName, {from.number, options_.domain, 0, ""}};
  if (target.destination.rfind("sip:", 0) == 0) {
    auto uri = sip::Uri::Parse(target.destination);
    if (!uri.ok()) {
      PBX_LOG(kInfo, "call", "", "cannot ring {}", uri.status().message());
      group.failures.push_back(404);
      return group;
    }
    RingDevice device;
    device.party.number = uri->user;
    device.invite.requestUri = *uri;
    device.invite.from = fromAddress;
    device.invite.to.uri = *uri;
    group.devices.push_back(std::move(device));
    return group;
  }
  const Extension* extension = directory_.extension(target.destination);
  if (extension == nullptr) {
    group.failures.push_back(404);
    return group;
  }
  for (const Account& account : extension->accounts) {
    if (account.username == exceptAccount) continue;
    const Binding* binding = registrar_.binding(account.username);
    if (binding == nullptr) continue;
    RingDevice device;
    device.party = {extension->number, extension->displayName, account.username};
    device.codecs = account.codecs;
    device.srtp = account.srtp;
    device.invite.requestUri = binding->contact;
    // Send to where the registration came from, so phones behind NAT are reached.
    device.invite.nextHop = binding->source;
    device.invite.from = fromAddress;
    device.invite.to.uri = {extension->number, options_.domain, 0, ""};
    device.invite.to.displayName = extension->displayName;
    group.devices.push_back(std::move(device));
  }
  if (group.devices.empty()) group.failures.push_back(480);
  return group;
}

std::vector<RingGroup> CallManager::resolveAll(const std::vector<routing::RingTarget>& targets,
                                               routing::RingStrategy strategy,
                                               const std::string& exceptAccount,
                                               const Party& from) const {
  std::vector<RingGroup> groups;
  for (const auto& target : targets) {
    RingGroup group = resolve(target, exceptAccount, from);
    if (strategy == routing::RingStrategy::kSequential || groups.empty()) {
      groups.push_back(std::move(group));
      continue;
    }
    // Parallel: one group, ringing as long as its longest timeout.
    RingGroup& all = groups.front();
    for (auto& device : group.devices) all.devices.push_back(std::move(device));
    for (int status : group.failures) all.failures.push_back(status);
    all.timeout = std::max(all.timeout, group.timeout);
  }
  if (groups.empty()) groups.push_back(RingGroup{{}, options_.noAnswerTimeout, {404}});
  return groups;
}

absl::StatusOr<CallId> CallManager::originate(const OriginateRequest& request) {
  if (request.source.empty() || request.destination.empty())
    return absl::InvalidArgumentError("originate needs a source and a destination");
  Party source = partyOfNumber(request.source);
  Party shown = request.callerId;
  if (shown.number.empty()) shown.number = request.destination;
  if (shown.displayName.empty()) shown.displayName = "c2c: " + request.destination;

  auto sourceGroups = resolveAll({{request.source, request.sourceTimeout}},
                                 routing::RingStrategy::kParallel, "", shown);
  if (sourceGroups.front().devices.empty()) {
    const auto& failures = sourceGroups.front().failures;
    if (std::find(failures.begin(), failures.end(), 404) != failures.end())
      return absl::NotFoundError(request.source + " is neither an extension nor a SIP URI");
    return absl::UnavailableError("nothing is registered for " + request.source);
  }
  auto destinationGroups = resolveAll({{request.destination, request.destinationTimeout}},
                                      routing::RingStrategy::kParallel, "", source);
  CallId id = CallId::Next();
  PBX_LOG(kInfo, "call", id.str(), "click-to-call: {} then {}", request.source,
          request.destination);
  Entry& entry =
      add(std::make_unique<Call>(id, dispatcher_, stack_, media_, static_cast<CallObserver&>(*this),
                                 source, request.destination, request.callUuid));
  entry.call->dialplan = dialplan_;
  entry.call->startOriginate(std::move(sourceGroups), std::move(destinationGroups));
  return id;
}

absl::Status CallManager::answer(CallId id) {
  Call* call = find(id);
  if (call == nullptr) return absl::NotFoundError("no call " + id.str());
  call->decisionTimer.reset();
  return call->answer();
}

absl::Status CallManager::reject(CallId id, Cause cause, int sipStatus) {
  Call* call = find(id);
  if (call == nullptr) return absl::NotFoundError("no call " + id.str());
  if (sipStatus != 0 && (sipStatus < 300 || sipStatus > 699))
    return absl::InvalidArgumentError("a rejection's SIP status is 300 to 699, not " +
                                      std::to_string(sipStatus));
  return call->reject({cause, sipStatus, "refused through the call API"});
}

absl::Status CallManager::hangup(CallId id, Cause cause) {
  Call* call = find(id);
  if (call == nullptr) return absl::NotFoundError("no call " + id.str());
  call->hangup({cause, 0, "hung up through the call API"});
  return absl::OkStatus();
}

std::vector<CallInfo> CallManager::listCalls() const {
  std::vector<CallInfo> out;
  out.reserve(calls_.size());
  for (const auto& [id, entry] : calls_)
    if (!entry.call->ended()) out.push_back(entry.call->info());
  std::sort(out.begin(), out.end(),
            [](const CallInfo& a, const CallInfo& b) { return a.id < b.id; });
  return out;
}

routing::DialplanPtr CallManager::defaultDialplan() const {
  return routing::DefaultDialplan(options_.numbering, [this](const std::string& number) {
    return directory_.extension(number) != nullptr;
  });
}

void CallManager::setDialplan(routing::DialplanPtr dialplan) {
  dialplan_ = dialplan ? std::move(dialplan) : defaultDialplan();
}

void CallManager::callEvent(Call& call, CallEvent event) {
  if (event.type == CallEventType::kRecordingStarted) metrics_.recordingsStarted.inc();
  if (event.type == CallEventType::kRecordingFailed) metrics_.recordingsFailed.inc();
  event.call = call.id();
  event.callUuid = call.callUuid();
  event.caller = call.caller();
  events_.publish(std::move(event));
}

void CallManager::callAnswered(Call& call) {
  metrics_.answered.inc();
  auto it = calls_.find(call.id());
  if (it != calls_.end()) it->second.watch.lastActivity = dispatcher_.timeSource().monotonicTime();
}

void CallManager::callEnded(Call& call, int failStatus, const EndReason&) {
  if (failStatus != 0) metrics_.failed(failStatus).inc();
  if (!call.parkedSlot().empty()) parkedSlots_.erase(call.parkedSlot());
  recordingsOnDemand_.erase(call.id());
  if (media::RtpRelay* relay = call.relay()) {
    const bool transcoded = relay->transcoding();
    for (const Leg* leg : {call.anchor(), call.partner()})
      if (leg && leg->format.known()) metrics_.callMedia(leg->format.codec, transcoded).inc();
  }
  for (const Leg* leg : {call.anchor(), call.partner()})
    if (leg) featureMatchers_.erase(leg->id);
  auto it = calls_.find(call.id());
  if (it == calls_.end()) return;
  accountMedia(it->second);
  // The call may be deep in its own callback: free it once the stack unwinds.
  auto owned = std::make_shared<std::unique_ptr<Call>>(std::move(it->second.call));
  calls_.erase(it);
  metrics_.activeCalls.set(static_cast<double>(calls_.size()));
  dispatcher_.post([owned] { owned->reset(); });
}

void CallManager::accountMedia(Entry& entry) {
  media::RtpRelay* relay = entry.call ? entry.call->relay() : nullptr;
  if (relay == nullptr) return;
  auto a = relay->stats(media::RelaySide::kA);
  auto b = relay->stats(media::RelaySide::kB);
  metrics_.rtpCallerToCallee.inc(b.packetsSent - entry.watch.sentB);
  metrics_.rtpCalleeToCaller.inc(a.packetsSent - entry.watch.sentA);
  entry.watch.sentA = a.packetsSent;
  entry.watch.sentB = b.packetsSent;
  uint64_t received = a.packetsReceived + b.packetsReceived;
  if (received != entry.watch.received) {
    entry.watch.received = received;
    entry.watch.lastActivity = dispatcher_.timeSource().monotonicTime();
  }
}

void CallManager::sweep() {
  auto now = dispatcher_.timeSource().monotonicTime();
  std::vector<Call*> dead;
  for (auto& [id, entry] : calls_) {
    if (!entry.call->answered()) continue;
    accountMedia(entry);
    if (options_.rtpTimeout.count() > 0 && entry.call->mediaExpected() &&
        now - entry.watch.lastActivity >= options_.rtpTimeout)
      dead.push_back(entry.call.get());
  }
  for (Call* call : dead) {
    metrics_.rtpTimeouts.inc();
    call->hangup({Cause::kMediaTimeout, 0,
                  "no RTP for " + std::to_string(options_.rtpTimeout.count()) + "s"});
  }
  sweepTimer_->enable(kSweepInterval);
}

void CallManager::hangupAll(Cause cause, const std::string& detail) {
  std::vector<Call*> all;
  for (auto& [id, entry] : calls_) all.push_back(entry.call.get());
  for (Call* call : all) call->hangup({cause, 0, detail});
}

}  // namespace pbx::call
