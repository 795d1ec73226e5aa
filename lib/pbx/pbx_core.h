// PbxCore: the call layer wired together — directory, registrar, inbound gate and call
// manager — on a signaling dispatcher, a SIP stack and a media engine it is given. pbx::Pbx
// (sofia-sip, real media, its own threads) and pbx::testing::SimulatedPbx (simulated stack,
// media and time) both build exactly this; only what is around it differs.
//
// Thread-safety: created, used and destroyed on the signaling thread.
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "lib/call/call_manager.h"
#include "lib/call/call_metrics.h"
#include "lib/call/call_service.h"
#include "lib/call/directory_index.h"
#include "lib/call/inbound_gate.h"
#include "lib/call/registrar.h"
#include "pbx/options.h"

namespace pbx {

class PbxCore {
 public:
  // Fails when the directory is inconsistent. Makes itself the stack's handler and the
  // service's manager.
  static absl::StatusOr<std::unique_ptr<PbxCore>> Create(
      Dispatcher& signaling, sip::SignalingStack& stack, media::MediaEngine& media,
      MetricsRegistry& metrics, call::CallService& service, const Options& options);
  // Detaches from the stack and the service: operations from now on fail.
  ~PbxCore();

  // Replaces the directory; calls in progress are not touched, bindings of removed accounts go.
  absl::Status updateDirectory(const Directory& directory);
  // Ends every call (BYE / CANCEL).
  void hangupAll(call::Cause cause, const std::string& detail);
  size_t activeCalls() const { return calls_->activeCalls(); }
  size_t registrations() const { return registrar_.size(); }

 private:
  PbxCore(Dispatcher& signaling, sip::SignalingStack& stack, media::MediaEngine& media,
          MetricsRegistry& metrics, call::CallService& service, const Options& options,
          call::DirectoryIndex directory);

  call::CallService& service_;
  call::CallMetrics metrics_;
  call::DirectoryIndex directory_;
  sip::DigestAuthenticator auth_;
  call::Registrar registrar_;
  std::unique_ptr<call::CallManager> calls_;
  std::unique_ptr<call::InboundGate> gate_;
};

}  // namespace pbx
