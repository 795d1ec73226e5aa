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
#include "lib/call/feature_codes.h"
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
  routing::NumberingPlan numbering;
  std::chrono::seconds parkTimeout{90};
  SessionTimerOptions sessionTimer;
  std::vector<std::string> musicOnHold;
  FeatureCodes features;

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
  // Media operations (call_manager_media.cc); an invalid leg means the call's anchor.
  void play(CallId call, LegId leg, const media::PlayRequest& request, Completion done);
  absl::Status stopPlaying(CallId call, LegId leg);
  void collectDigits(CallId call, LegId leg, const DigitCollection& request,
                     std::function<void(absl::StatusOr<CollectedDigits>)> done);
  absl::StatusOr<uint64_t> startRecording(CallId call, const RecordingRequest& request);
  absl::Status pauseRecording(CallId call, uint64_t recording, bool paused);
  absl::Status stopRecording(CallId call, uint64_t recording);
  absl::Status answer(CallId id);
  absl::Status reject(CallId id, Cause cause, int sipStatus);
  absl::Status hangup(CallId id, Cause cause);
  std::vector<CallInfo> listCalls() const;
  void setDialplan(routing::DialplanPtr dialplan);
  // call_manager_features.cc
  void setHold(CallId id, LegId leg, bool hold, Completion done);
  absl::Status blindTransfer(CallId id, const std::string& destination, LegId stays);
  void attendedTransfer(CallId first, CallId second, Completion done);
  absl::StatusOr<std::string> park(CallId id, LegId stays);
  absl::StatusOr<CallId> unpark(const std::string& slot, const std::string& destination);
  absl::StatusOr<CallId> pickup(const std::string& ringing, const std::string& destination);
  absl::Status sendDtmf(CallId id, LegId leg, const std::string& digits);
  absl::Status earlyMedia(CallId id);
  void bridge(CallId first, CallId second, Completion done);
  void unbridge(CallId id, std::function<void(absl::StatusOr<CallId>)> done);

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
  // The extension directory and numbering plan as a dialplan (the one calls get by default).
  routing::DialplanPtr defaultDialplan() const;
  RingGroup resolveAccount(const Party& party) const;  // the one device of `party.account`

  // call_manager_features.cc
  void callDigit(Call& call, Leg& leg, const media::DtmfDigit& digit, bool feature) override;
  // A feature code `leg` pressed (call_manager_media.cc).
  void runFeature(Call& call, Leg& leg, Feature feature);
  void callRefer(Call& call, Leg& leg, const sip::ReferRequest& refer,
                 sip::ReferResponder respond) override;
  // An INVITE with Replaces: the new leg takes the named leg's place.
  void inviteReplacing(sip::Dialog& dialog, const sip::InviteRequest& request, Party caller,
                       std::optional<sip::SessionDescription> offer);
  // The decisions that join the caller to another call.
  void parkCaller(Call& call);
  void unparkCaller(Call& call, const std::string& slot);
  void pickupCaller(Call& call, const std::string& target);
  // Moves `transient`'s caller into `target` and ends `transient` (kPickedUp).
  void joinInto(Call& target, Call& transient, CallEventType event);
  // Connects the parties that `first` and `second` have apart from the transferor.
  void joinCalls(Call& first, Leg& transferor, Call& second, Leg& transferor2, bool byRefer,
                 Completion done);
  std::pair<Call*, Leg*> findLeg(const sip::Replaces& replaces);
  std::optional<std::string> freeSlot();
  Call* parkedIn(const std::string& slot);
  void armParkTimer(Call& call);
  void onParkTimeout(CallId id);
  // The newest inbound call ringing at `extension` (or, empty, at an extension sharing a
  // pickup group with `picker`), other than `except`.
  Call* ringingFor(const std::string& extension, const Party& picker, CallId except);

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
  std::map<LegId, FeatureMatcher> featureMatchers_;
  std::map<CallId, uint64_t> recordingsOnDemand_;  // *1: the call's recording
  routing::DialplanPtr dialplan_;
  std::unordered_map<CallId, Entry> calls_;
  std::unordered_map<std::string, CallId> parkedSlots_;  // checked against the call's own slot
  TimerPtr sweepTimer_;
  // Cleared when the manager dies: a decision posted back after that finds no manager.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace pbx::call
