// Registrar: digest-authenticated REGISTER handling and the location service.
//
// One location per account: a new registration of an account replaces its old contact (the
// last registration wins); an extension has as many locations as it has registered accounts.
// Expiry is honoured and clamped to [minExpires, maxExpires]; a binding disappears when its
// timer (on the injected dispatcher) fires, or on "Expires: 0".
//
// Thread-safety: signaling thread only.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "lib/call/call_metrics.h"
#include "lib/call/directory_index.h"
#include "pbx/base/dispatcher.h"
#include "pbx/sip/digest.h"
#include "pbx/sip/signaling_stack.h"

namespace pbx::call {

struct Binding {
  std::string username;
  sip::Uri contact;
  sip::RequestSource source;
  std::string userAgent;
  MonotonicTime expiresAt;
  TimerPtr expiry;
};

class Registrar {
 public:
  Registrar(Dispatcher& dispatcher, const sip::DigestAuthenticator& auth, CallMetrics& metrics,
            const RegistrationOptions& options);

  void handle(const DirectoryIndex& directory, const sip::RegisterRequest& request,
              const sip::RegisterResponder& respond);
  // The current binding of an account, or nullptr.
  const Binding* binding(const std::string& username) const;
  // Drops bindings of accounts that are no longer in the directory.
  void prune(const DirectoryIndex& directory);
  size_t size() const { return bindings_.size(); }

 private:
  void remove(std::string username);
  void store(const std::string& username, const sip::ContactBinding& contact,
             const sip::RegisterRequest& request, std::chrono::seconds expires);
  sip::RegisterResponse okResponse(const std::string& username) const;

  Dispatcher& dispatcher_;
  const sip::DigestAuthenticator& auth_;
  CallMetrics& metrics_;
  RegistrationOptions options_;
  std::unordered_map<std::string, std::unique_ptr<Binding>> bindings_;
};

}  // namespace pbx::call
