#include "lib/call/inbound_gate.h"

#include "lib/base/log.h"

namespace pbx::call {
namespace {
// An INVITE answering a challenge this recent belongs to a call admitted at the challenge.
constexpr std::chrono::seconds kChallengeRetryWindow{4};
}  // namespace

InboundGate::InboundGate(sip::SignalingStack& stack, CallMetrics& metrics,
                         const DirectoryIndex& directory, sip::DigestAuthenticator& auth,
                         Registrar& registrar, CallManager& calls, const TimeSource& time,
                         const OverloadOptions& overload)
    : stack_(stack),
      metrics_(metrics),
      directory_(directory),
      auth_(auth),
      registrar_(registrar),
      calls_(calls),
      overload_(time, overload),
      options_(overload) {
  stack_.setHandler(this);
}

InboundGate::~InboundGate() { stack_.setHandler(nullptr); }

void InboundGate::onRegister(const sip::RegisterRequest& request, sip::RegisterResponder respond) {
  registrar_.handle(directory_, request, respond);
}

const Account* InboundGate::authenticate(sip::Dialog& dialog, const sip::InviteRequest& request) {
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

sip::Rejection InboundGate::refuseUncredentialed() {
  auto refusal = overload_.admit(stack_.pendingTransactions(), stack_.receiveQueueFill());
  if (refusal != OverloadGuard::Refusal::kNone) return overloaded(refusal);
  overload_.recordSetup();
  return {407, "Proxy Authentication Required", auth_.challenge()};
}

sip::Rejection InboundGate::overloaded(OverloadGuard::Refusal refusal) {
  metrics_.overloadRejected(refusal).inc();
  return {503, "Service Unavailable", std::nullopt,
          static_cast<uint32_t>(options_.retryAfter.count())};
}

std::optional<sip::Rejection> InboundGate::screenInvite(const sip::RequestSource&) {
  sip::Rejection rejection = refuseUncredentialed();
  metrics_.statelessResponse(rejection.status).inc();
  return rejection;
}

void InboundGate::onInvite(sip::Dialog& dialog, const sip::InviteRequest& request) {
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
  calls_.onInvite(dialog, request, *caller);
}

}  // namespace pbx::call
