#include "lib/call/registrar.h"

#include <algorithm>

#include "lib/base/log.h"

namespace pbx::call {

Registrar::Registrar(Dispatcher& dispatcher, const sip::DigestAuthenticator& auth,
                     CallMetrics& metrics, const RegistrationOptions& options)
    : dispatcher_(dispatcher), auth_(auth), metrics_(metrics), options_(options) {}

const Binding* Registrar::binding(const std::string& username) const {
  auto it = bindings_.find(username);
  return it == bindings_.end() ? nullptr : it->second.get();
}

void Registrar::remove(std::string username) {
  // By value: the caller's string may live in the binding (its expiry timer's callback).
  if (bindings_.erase(username) > 0) {
    metrics_.registrations.set(static_cast<double>(bindings_.size()));
    PBX_LOG(kInfo, "registrar", "", "account {} unregistered", username);
  }
}

void Registrar::prune(const DirectoryIndex& directory) {
  std::vector<std::string> gone;
  for (const auto& [username, b] : bindings_)
    if (directory.account(username) == nullptr) gone.push_back(username);
  for (const auto& u : gone) remove(u);
}

void Registrar::store(const std::string& username, const sip::ContactBinding& contact,
                      const sip::RegisterRequest& request, std::chrono::seconds expires) {
  auto& slot = bindings_[username];
  if (!slot) {
    slot = std::make_unique<Binding>();
    slot->expiry = dispatcher_.createTimer([this, username] {
      PBX_LOG(kInfo, "registrar", "", "registration of {} expired", username);
      remove(username);
    });
  }
  slot->username = username;
  slot->contact = contact.uri;
  slot->source = request.source;
  slot->userAgent = request.userAgent;
  slot->expiresAt = dispatcher_.timeSource().monotonicTime() + expires;
  slot->expiry->enable(expires);
  metrics_.registrations.set(static_cast<double>(bindings_.size()));
  PBX_LOG(kDebug, "registrar", "", "account {} at {} (from {} {}) for {}s", username,
          contact.uri.str(), sip::TransportName(request.source.transport),
          request.source.address.str(), expires.count());
}

sip::RegisterResponse Registrar::okResponse(const std::string& username) const {
  sip::RegisterResponse r;
  if (const Binding* b = binding(username)) {
    // Rounded up: a binding granted 3600 s a moment ago still has "3600" left, not 3599.
    auto left = std::chrono::ceil<std::chrono::seconds>(b->expiresAt -
                                                        dispatcher_.timeSource().monotonicTime());
    r.contacts.push_back({b->contact, static_cast<uint32_t>(std::max<int64_t>(left.count(), 0))});
  }
  return r;
}

void Registrar::handle(const DirectoryIndex& directory, const sip::RegisterRequest& request,
                       const sip::RegisterResponder& respond) {
  metrics_.registerRequests.inc();
  if (!request.credentials) {
    sip::RegisterResponse r{401, "Unauthorized"};
    r.challenge = auth_.challenge();
    respond(r);
    return;
  }
  const sip::DigestCredentials& cred = *request.credentials;
  const Account* account = directory.account(cred.username);
  sip::DigestVerdict verdict = account ? auth_.verify(cred, "REGISTER", account->password)
                                       : sip::DigestVerdict::kWrongPassword;
  if (verdict == sip::DigestVerdict::kStale || verdict == sip::DigestVerdict::kBadNonce ||
      verdict == sip::DigestVerdict::kUnsupported) {
    sip::RegisterResponse r{401, "Unauthorized"};
    r.challenge = auth_.challenge(verdict == sip::DigestVerdict::kStale);
    respond(r);
    return;
  }
  if (verdict != sip::DigestVerdict::kOk) {
    metrics_.authFailures.inc();
    PBX_LOG(kWarning, "registrar", "", "REGISTER for '{}' from {}: wrong credentials",
            cred.username, request.source.address.str());
    respond({403, "Forbidden"});
    return;
  }
  if (request.to.uri.user != account->username) {
    metrics_.authFailures.inc();
    respond({403, "Forbidden (To does not match the authenticated account)"});
    return;
  }
  const std::string& username = account->username;

  if (request.wildcard) {
    if (!request.contacts.empty() || request.expires.value_or(1) != 0) {
      respond({400, "Bad Request (Contact: * needs Expires: 0 and no other Contact)"});
      return;
    }
    remove(username);
    respond(okResponse(username));
    return;
  }
  if (request.contacts.empty()) {  // a query
    respond(okResponse(username));
    return;
  }
  // One location per account: the last Contact of the request wins.
  const sip::ContactBinding& contact = request.contacts.back();
  auto asked = std::chrono::seconds(
      contact.expires.value_or(request.expires.value_or(options_.defaultExpires.count())));
  if (asked.count() == 0) {
    remove(username);
    respond(okResponse(username));
    return;
  }
  auto expires = std::clamp(asked, options_.minExpires, options_.maxExpires);
  store(username, contact, request, expires);
  respond(okResponse(username));
}

}  // namespace pbx::call
