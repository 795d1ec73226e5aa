#include "lib/call/call_controller.h"

#include "lib/base/log.h"
#include "pbx/base/status.h"

namespace pbx::call {
namespace {
constexpr std::chrono::seconds kSweepInterval{1};
// An INVITE answering a challenge this recent belongs to a call admitted at the challenge.
constexpr std::chrono::seconds kChallengeRetryWindow{4};
}  // namespace

CallControlOptions CallControlOptions::From(const Options& o) {
  CallControlOptions c;
  c.domain = o.sip.domain;
  c.registration = o.sip.registration;
  c.noAnswerTimeout = o.sip.noAnswerTimeout;
  c.overload = o.sip.overload;
  c.rtpTimeout = o.media.rtpTimeout;
  return c;
}

absl::StatusOr<std::unique_ptr<CallController>> CallController::Create(
    Dispatcher& dispatcher, sip::SignalingStack& stack, media::MediaEngine& media,
    MetricsRegistry& metrics, const CallControlOptions& options, const Directory& directory) {
  PBX_ASSIGN_OR_RETURN(DirectoryIndex index, DirectoryIndex::Build(directory));
  std::unique_ptr<CallController> controller(
      new CallController(dispatcher, stack, media, metrics, options, std::move(index)));
  stack.setHandler(controller.get());
  return controller;
}

CallController::CallController(Dispatcher& dispatcher, sip::SignalingStack& stack,
                               media::MediaEngine& media, MetricsRegistry& metrics,
                               const CallControlOptions& options, DirectoryIndex directory)
    : dispatcher_(dispatcher),
      stack_(stack),
      media_(media),
      metrics_(metrics),
      options_(options),
      directory_(std::move(directory)),
      auth_(dispatcher.timeSource(), options.domain),
      registrar_(dispatcher, auth_, metrics_, options.registration),
      overload_(dispatcher.timeSource(), options.overload) {
  sweepTimer_ = dispatcher_.createTimer([this] { sweep(); });
  sweepTimer_->enable(kSweepInterval);
}

CallController::~CallController() {
  stack_.setHandler(nullptr);
  calls_.clear();
}

absl::Status CallController::updateDirectory(const Directory& directory) {
  PBX_ASSIGN_OR_RETURN(DirectoryIndex index, DirectoryIndex::Build(directory));
  directory_ = std::move(index);
  registrar_.prune(directory_);
  PBX_LOG(kInfo, "call", "", "directory reloaded: {} extensions", directory.extensions.size());
  return absl::OkStatus();
}

void CallController::onRegister(const sip::RegisterRequest& request,
                                sip::RegisterResponder respond) {
  registrar_.handle(directory_, request, respond);
}

const Account* CallController::authenticate(sip::Dialog& dialog,
                                            const sip::InviteRequest& request) {
  const Account* account = directory_.account(request.credentials->username);
  auto verdict = account ? auth_.verify(*request.credentials, "INVITE", account->password)
                         : sip::DigestVerdict::kWrongPassword;
  switch (verdict) {
    case sip::DigestVerdict::kOk:
      return account;
    case sip::DigestVerdict::kWrongPassword:
      metrics_.authFailures.inc();
      metrics_.failed(403).inc();
      PBX_LOG(kWarning, "call", "", "INVITE from '{}' at {}: wrong credentials",
              request.credentials->username, request.source.address.str());
      dialog.reject({403, "Forbidden"});
      return nullptr;
    default:
      dialog.reject({407, "Proxy Authentication Required",
                     auth_.challenge(verdict == sip::DigestVerdict::kStale)});
      return nullptr;
  }
}

sip::Rejection CallController::refuseUncredentialed() {
  auto refusal = overload_.admit(stack_.pendingTransactions(), stack_.receiveQueueFill());
  if (refusal != OverloadGuard::Refusal::kNone) return overloaded(refusal);
  overload_.recordSetup();
  return {407, "Proxy Authentication Required", auth_.challenge()};
}

sip::Rejection CallController::overloaded(OverloadGuard::Refusal refusal) {
  metrics_.overloadRejected(refusal).inc();
  return {503, "Service Unavailable", std::nullopt,
          static_cast<uint32_t>(options_.overload.retryAfter.count())};
}

std::optional<sip::Rejection> CallController::screenInvite(const sip::RequestSource&) {
  sip::Rejection rejection = refuseUncredentialed();
  metrics_.statelessResponse(rejection.status).inc();
  return rejection;
}

void CallController::onInvite(sip::Dialog& dialog, const sip::InviteRequest& request) {
  if (!request.credentials) return dialog.reject(refuseUncredentialed());
  // A call is admitted once, at its first INVITE (the one we challenge). Its authenticated
  // retry answers a nonce we issued moments ago and must not be refused after the 407 round
  // trip was spent on it; only the backlog guard applies to it. A phone that re-uses an old
  // nonce is counted when it calls.
  auto age = auth_.nonceAge(*request.credentials);
  bool admittedAtChallenge = age && *age <= kChallengeRetryWindow;
  const size_t pending = stack_.pendingTransactions();
  const double queueFill = stack_.receiveQueueFill();
  auto refusal = admittedAtChallenge ? overload_.checkBacklog(pending, queueFill)
                                     : overload_.admit(pending, queueFill);
  if (refusal != OverloadGuard::Refusal::kNone) return dialog.reject(overloaded(refusal));
  if (!admittedAtChallenge) overload_.recordSetup();
  const Account* caller = authenticate(dialog, request);
  if (caller == nullptr) return;
  auto fail = [&](int status, const char* reason) {
    metrics_.failed(status).inc();
    dialog.reject({status, reason});
  };

  const std::string& number = request.requestUri.user;
  const Extension* extension = directory_.extension(number);
  if (extension == nullptr) return fail(404, "Not Found");
  std::vector<CallTarget> targets;
  for (const Account& account : extension->accounts) {
    if (account.username == caller->username) continue;
    const Binding* binding = registrar_.binding(account.username);
    if (binding == nullptr) continue;
    CallTarget target;
    target.account = account.username;
    target.invite.requestUri = binding->contact;
    // Send to where the registration came from, so phones behind NAT are reached.
    target.invite.nextHop = binding->source;
    const Extension* from = directory_.extensionOfAccount(caller->username);
    target.invite.from.displayName =
        request.from.displayName.empty() && from ? from->displayName : request.from.displayName;
    target.invite.from.uri = {from ? from->number : caller->username, options_.domain, 0, ""};
    target.invite.to.uri = {number, options_.domain, 0, ""};
    target.invite.to.displayName = extension->displayName;
    targets.push_back(std::move(target));
  }
  if (targets.empty()) return fail(480, "Temporarily Unavailable");

  std::optional<sip::SessionDescription> offer;  // none: a late offer, pbxd makes one
  if (!request.sdp.empty()) {
    auto parsed = sip::SessionDescription::Parse(request.sdp);
    if (!parsed.ok()) {
      PBX_LOG(kInfo, "call", "", "INVITE {}: bad SDP: {}", request.callId,
              parsed.status().message());
      return fail(488, "Not Acceptable Here (malformed SDP)");
    }
    if (!parsed->findMedia("audio")) return fail(488, "Not Acceptable Here (no audio stream)");
    offer = std::move(*parsed);
  }
  auto relay = media_.createRelay({});
  if (!relay.ok()) {
    PBX_LOG(kWarning, "call", "", "no media relay: {}", relay.status().message());
    return fail(503, "Service Unavailable (no media ports)");
  }

  metrics_.started.inc();
  CallId id = CallId::Next();
  PBX_LOG(kInfo, "call", id.str(), "{} calls {} ({} forks), SIP Call-ID {}", caller->username,
          number, targets.size(), request.callId);
  auto call = std::make_unique<Call>(id, dispatcher_, stack_, static_cast<CallObserver&>(*this),
                                     dialog, std::move(offer), std::move(*relay));
  Call* raw = call.get();
  calls_[id].call = std::move(call);
  metrics_.activeCalls.set(static_cast<double>(calls_.size()));
  raw->start(std::move(targets), options_.noAnswerTimeout);
}

void CallController::onCallAnswered(Call& call) {
  metrics_.answered.inc();
  auto it = calls_.find(call.id());
  if (it != calls_.end()) it->second.watch.lastActivity = dispatcher_.timeSource().monotonicTime();
}

void CallController::onCallEnded(Call& call, int failStatus, const std::string& reason) {
  if (failStatus != 0) metrics_.failed(failStatus).inc();
  auto it = calls_.find(call.id());
  if (it == calls_.end()) return;
  accountMedia(it->second);
  // The call may be deep in its own callback: free it once the stack unwinds.
  auto owned = std::make_shared<std::unique_ptr<Call>>(std::move(it->second.call));
  calls_.erase(it);
  metrics_.activeCalls.set(static_cast<double>(calls_.size()));
  dispatcher_.post([owned] { owned->reset(); });
}

void CallController::accountMedia(Entry& entry) {
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

void CallController::sweep() {
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
    call->hangup("no RTP for " + std::to_string(options_.rtpTimeout.count()) + "s");
  }
  sweepTimer_->enable(kSweepInterval);
}

void CallController::hangupAll(const std::string& reason) {
  std::vector<Call*> all;
  for (auto& [id, entry] : calls_) all.push_back(entry.call.get());
  for (Call* call : all) call->hangup(reason);
}

}  // namespace pbx::call
