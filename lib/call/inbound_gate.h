// InboundGate: the SIP stack's SignalingHandler — what every request from outside passes
// before it becomes a call. REGISTERs go to the Registrar; a new INVITE is checked against the
// overload limits (503 + Retry-After), authenticated (407 challenge, 403 for wrong
// credentials), and then handed to the call layer with the account it authenticated as.
//
// Thread-safety: signaling thread only.
#pragma once

#include "lib/call/call_manager.h"
#include "lib/call/call_metrics.h"
#include "lib/call/directory_index.h"
#include "lib/call/overload_guard.h"
#include "lib/call/registrar.h"
#include "pbx/sip/digest.h"
#include "pbx/sip/signaling_stack.h"

namespace pbx::call {

class InboundGate final : public sip::SignalingHandler {
 public:
  InboundGate(sip::SignalingStack& stack, CallMetrics& metrics, const DirectoryIndex& directory,
              sip::DigestAuthenticator& auth, Registrar& registrar, CallManager& calls,
              const TimeSource& time, const OverloadOptions& overload);
  ~InboundGate() override;

  void onRegister(const sip::RegisterRequest& request, sip::RegisterResponder respond) override;
  void onInvite(sip::Dialog& dialog, const sip::InviteRequest& request) override;
  // Every new INVITE without credentials is refused here: 503 under overload, else 407.
  std::optional<sip::Rejection> screenInvite(const sip::RequestSource& source) override;

 private:
  // The answer to a new INVITE without credentials: 503 under overload (counted), else a
  // 407 challenge, the call being admitted (counted against the rate limit) here.
  sip::Rejection refuseUncredentialed();
  sip::Rejection overloaded(OverloadGuard::Refusal refusal);  // a 503, counted
  // Authenticates an INVITE that carries credentials; returns the account, or nullptr after
  // rejecting the dialog.
  const Account* authenticate(sip::Dialog& dialog, const sip::InviteRequest& request);

  sip::SignalingStack& stack_;
  CallMetrics& metrics_;
  const DirectoryIndex& directory_;
  sip::DigestAuthenticator& auth_;
  Registrar& registrar_;
  CallManager& calls_;
  OverloadGuard overload_;
  OverloadOptions options_;
};

}  // namespace pbx::call
