// CallManager: the call layer on the signaling thread. It owns the calls, asks the dialplan
// what each new inbound call becomes, turns a decision's targets (extensions, SIP URIs) into
// the devices to ring, carries out the call API's operations (through CallService, which
// brings them to this thread), publishes every call's events, and sweeps answered calls for
// RTP silence.
//
// Thread-safety: signaling thread only.
#pragma once

#include <memory>
#include <unordered_map>

#include "lib/call/call.h"
#include "lib/call/call_metrics.h"
#include "lib/call/directory_index.h"
#include "lib/call/event_log.h"
#include "lib/call/registrar.h"
#include "lib/call/signaling_poster.h"
#include "pbx/call/call_control.h"
#include "pbx/options.h"

namespace pbx::call {

struct CallLayerOptions {
  std::string domain = "127.0.0.1";
  std::chrono::seconds noAnswerTimeout{30};
  std::chrono::seconds rtpTimeout{60};
  std::chrono::seconds decisionTimeout{10};

  static CallLayerOptions From(const Options& options);
};

class CallManager final : private CallObserver {
 public:
  CallManager(Dispatcher& dispatcher, sip::SignalingStack& stack, media::MediaEngine& media,
              CallMetrics& metrics, EventLog& events, const DirectoryIndex& directory,
              const Registrar& registrar, std::shared_ptr<SignalingPoster> poster,
              const CallLayerOptions& options);
  ~CallManager() override;

  // An authenticated INVITE from `caller`: a new inbound call, routed by the dialplan.
  void onInvite(sip::Dialog& dialog, const sip::InviteRequest& request, const Account& caller);

  // The call API, on the signaling thread.
  absl::StatusOr<CallId> originate(const OriginateRequest& request);
  absl::Status answer(CallId id);
  absl::Status reject(CallId id, Cause cause, int sipStatus);
  absl::Status hangup(CallId id, Cause cause);
  std::vector<CallInfo> listCalls() const;
  void setDialplan(routing::DialplanPtr dialplan);

  // Ends every call (BYE / CANCEL); used on shutdown.
  void hangupAll(Cause cause, const std::string& detail);
  size_t activeCalls() const { return calls_.size(); }

 private:
  struct MediaWatch {
    uint64_t received = 0;  // packets received on both sides at the last sweep
    uint64_t sentA = 0;     // packets sent to the anchor (caller) at the last sweep
    uint64_t sentB = 0;     // packets sent to the callee at the last sweep
    MonotonicTime lastActivity;
  };
  struct Entry {
    std::unique_ptr<Call> call;
    MediaWatch watch;
  };

  Call* find(CallId id);
  Entry& add(std::unique_ptr<Call> call);
  void route(Call& call, const sip::InviteRequest& request);
  void apply(CallId id, routing::Decision decision);
  // The devices a target reaches: an extension's registered accounts (but `exceptAccount`),
  // or the SIP URI itself. `failures` gets 404/480 when there are none.
  RingGroup resolve(const routing::RingTarget& target, const std::string& exceptAccount,
                    const Party& from) const;
  std::vector<RingGroup> resolveAll(const std::vector<routing::RingTarget>& targets,
                                    routing::RingStrategy strategy,
                                    const std::string& exceptAccount, const Party& from) const;
  Party partyOfNumber(const std::string& number) const;

  // CallObserver
  void callEvent(Call& call, CallEvent event) override;
  void callAnswered(Call& call) override;
  void callEnded(Call& call, int failStatus, const EndReason& reason) override;

  void accountMedia(Entry& entry);
  void sweep();

  Dispatcher& dispatcher_;
  sip::SignalingStack& stack_;
  media::MediaEngine& media_;
  CallMetrics& metrics_;
  EventLog& events_;
  const DirectoryIndex& directory_;
  const Registrar& registrar_;
  std::shared_ptr<SignalingPoster> poster_;
  CallLayerOptions options_;
  routing::DialplanPtr dialplan_;
  std::unordered_map<CallId, Entry> calls_;
  TimerPtr sweepTimer_;
  // Cleared when the manager dies: a decision posted back after that finds no manager.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace pbx::call
