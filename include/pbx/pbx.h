// pbx::Pbx — the facade: one object that is a running PBX.
//
// Create() binds the SIP listeners and the media engine, starts the signaling thread (sofia
// su_root + nua, call control) and returns once the PBX accepts traffic. stop() ends every
// call with BYE/CANCEL, shuts the SIP stack down in order and joins the thread.
//
//   pbx::Options options;
//   options.sip.listen = {"udp:127.0.0.1:5060", "tcp:127.0.0.1:5060"};
//   options.directory.extensions = {{"100", {{"100", "secret100"}}}};
//   auto pbx = pbx::Pbx::Create(options);          // StatusOr<std::unique_ptr<Pbx>>
//   if (!pbx.ok()) { std::cerr << pbx.status() << "\n"; return 1; }
//   ...
//   (*pbx)->calls().originate({.source = "100", .destination = "101"}, [](auto id) { ... });
//   (*pbx)->stop();
//
// Thread-safety: every method may be called from any thread except the signaling thread
// itself (stop() and updateDirectory() wait for it); the call API's callbacks run on the
// PBX's event thread.
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "pbx/base/metrics.h"
#include "pbx/call/call_control.h"
#include "pbx/options.h"
#include "pbx/sip/sofia.h"

namespace pbx {

class Pbx {
 public:
  // `tuning`: how the sofia-sip stack is bent for speed (the defaults are what pbxd runs).
  static absl::StatusOr<std::unique_ptr<Pbx>> Create(const Options& options,
                                                     const sip::SofiaTuning& tuning = {});
  virtual ~Pbx() = default;

  // Graceful stop: BYE every call, shut the SIP stack down, join the signaling thread.
  // Idempotent.
  virtual void stop() = 0;
  // Replaces the extensions and accounts; calls in progress continue. Fails (and keeps the
  // old directory) when the new one is inconsistent.
  virtual absl::Status updateDirectory(const Directory& directory) = 0;
  virtual MetricsRegistry& metrics() = 0;
  // The call API: operations, events and the dialplan hook. Valid as long as the Pbx object;
  // after stop() its operations fail with FailedPrecondition and its history stays readable.
  virtual call::CallControl& calls() = 0;
};

}  // namespace pbx
