// CallController: the PBX's call control on one signaling thread. It is the stack's
// SignalingHandler: REGISTERs go to the Registrar, INVITEs are authenticated (407), checked
// against the overload limits (503), routed to an extension (404 unknown, 480 nobody
// registered) and become Calls with an anchored RTP relay.
//
// A one-second sweep timer feeds the RTP counters into the metrics and ends answered calls
// whose relay saw no packets for `rtpTimeout`.
//
// Thread-safety: signaling thread only, except where noted.
#pragma once

#include <memory>
#include <unordered_map>

#include "lib/call/call.h"
#include "lib/call/call_metrics.h"
#include "lib/call/directory_index.h"
#include "lib/call/overload_guard.h"
#include "lib/call/registrar.h"
#include "pbx/base/dispatcher.h"
#include "pbx/media/media_engine.h"
#include "pbx/options.h"
#include "pbx/sip/digest.h"
#include "pbx/sip/signaling_stack.h"

namespace pbx::call {

struct CallControlOptions {
  std::string domain = "127.0.0.1";
  RegistrationOptions registration;
  std::chrono::seconds noAnswerTimeout{30};
  OverloadOptions overload;
  std::chrono::seconds rtpTimeout{60};

  // The call-control part of the PBX's options.
  static CallControlOptions From(const Options& options);
};

class CallController final : public sip::SignalingHandler, private CallObserver {
 public:
  static absl::StatusOr<std::unique_ptr<CallController>> Create(
      Dispatcher& dispatcher, sip::SignalingStack& stack, media::MediaEngine& media,
      MetricsRegistry& metrics, const CallControlOptions& options, const Directory& directory);
  ~CallController() override;

  // Replaces the directory; calls in progress are not touched, bindings of removed accounts go.
  absl::Status updateDirectory(const Directory& directory);
  // Ends every call (BYE / CANCEL); used on shutdown.
  void hangupAll(const std::string& reason);
  size_t activeCalls() const { return calls_.size(); }
  const Registrar& registrar() const { return registrar_; }

  void onRegister(const sip::RegisterRequest& request, sip::RegisterResponder respond) override;
  void onInvite(sip::Dialog& dialog, const sip::InviteRequest& request) override;
  // Every new INVITE without credentials is refused here: 503 under overload, else 407.
  std::optional<sip::Rejection> screenInvite(const sip::RequestSource& source) override;

 private:
  CallController(Dispatcher& dispatcher, sip::SignalingStack& stack, media::MediaEngine& media,
                 MetricsRegistry& metrics, const CallControlOptions& options,
                 DirectoryIndex directory);
  void onCallAnswered(Call& call) override;
  void onCallEnded(Call& call, int failStatus, const std::string& reason) override;
  // The answer to a new INVITE without credentials: 503 under overload (counted), else a
  // 407 challenge, the call being admitted (counted against the rate limit) here.
  sip::Rejection refuseUncredentialed();
  sip::Rejection overloaded(OverloadGuard::Refusal refusal);  // a 503, counted
  // Authenticates an INVITE that carries credentials; returns the account, or nullptr after
  // rejecting the dialog.
  const Account* authenticate(sip::Dialog& dialog, const sip::InviteRequest& request);
  void sweep();

  struct MediaWatch {
    uint64_t received = 0;  // packets received on both sides at the last sweep
    uint64_t sentA = 0;     // packets sent to the caller at the last sweep
    uint64_t sentB = 0;     // packets sent to the callee at the last sweep
    MonotonicTime lastActivity;
  };
  struct Entry {
    std::unique_ptr<Call> call;
    MediaWatch watch;
  };
  void accountMedia(Entry& entry);

  Dispatcher& dispatcher_;
  sip::SignalingStack& stack_;
  media::MediaEngine& media_;
  CallMetrics metrics_;
  CallControlOptions options_;
  DirectoryIndex directory_;
  sip::DigestAuthenticator auth_;
  Registrar registrar_;
  OverloadGuard overload_;
  std::unordered_map<CallId, Entry> calls_;
  TimerPtr sweepTimer_;
};

}  // namespace pbx::call
