// CallService: the call API as the program sees it (pbx::call::CallControl), thread-safe. Each
// operation is posted to the signaling thread, carried out there by the CallManager, and its
// result posted to the results dispatcher (the PBX's event thread), so the program's callbacks
// never run on the signaling thread. It owns the EventLog, and outlives the signaling thread:
// operations on a stopped PBX complete with FailedPrecondition.
//
// Thread-safety: the CallControl methods from any thread; attach()/detach() on the signaling
// thread.
#pragma once

#include <memory>

#include "lib/call/call_manager.h"
#include "lib/call/event_log.h"
#include "lib/call/signaling_poster.h"
#include "pbx/call/call_control.h"

namespace pbx::call {

class CallService final : public CallControl {
 public:
  CallService(Dispatcher& results, const TimeSource& time, size_t historySize);
  ~CallService() override;

  // The manager that carries operations out on `signaling`, from when it exists until it goes.
  void attach(CallManager& manager, Dispatcher& signaling);
  // Closes the way in: operations from now on complete with FailedPrecondition.
  void detach();
  const std::shared_ptr<SignalingPoster>& poster() const { return poster_; }
  EventLog& log() { return log_; }

  void originate(const OriginateRequest& request,
                 std::function<void(absl::StatusOr<CallId>)> done) override;
  void answer(CallId call, Completion done) override;
  void earlyMedia(CallId call, Completion done) override;
  void reject(CallId call, Cause cause, int sipStatus, Completion done) override;
  void hangup(CallId call, Cause cause, Completion done) override;
  void hold(CallId call, LegId leg, Completion done) override;
  void unhold(CallId call, LegId leg, Completion done) override;
  void blindTransfer(CallId call, std::string destination, LegId stays, Completion done) override;
  void attendedTransfer(CallId first, CallId second, Completion done) override;
  void park(CallId call, LegId stays,
            std::function<void(absl::StatusOr<std::string>)> done) override;
  void unpark(std::string slot, std::string destination,
              std::function<void(absl::StatusOr<CallId>)> done) override;
  void pickup(std::string ringing, std::string destination,
              std::function<void(absl::StatusOr<CallId>)> done) override;
  void bridge(CallId first, CallId second, Completion done) override;
  void unbridge(CallId call, std::function<void(absl::StatusOr<CallId>)> done) override;
  void sendDtmf(CallId call, LegId leg, std::string digits, Completion done) override;
  void play(CallId call, LegId leg, media::PlayRequest request, Completion done) override;
  void stopPlaying(CallId call, LegId leg, Completion done) override;
  void collectDigits(CallId call, LegId leg, DigitCollection request,
                     std::function<void(absl::StatusOr<CollectedDigits>)> done) override;
  void startRecording(CallId call, RecordingRequest request,
                      std::function<void(absl::StatusOr<uint64_t>)> done) override;
  void pauseRecording(CallId call, uint64_t recording, bool paused, Completion done) override;
  void stopRecording(CallId call, uint64_t recording, Completion done) override;
  void listCalls(std::function<void(std::vector<CallInfo>)> done) override;
  void setDialplan(routing::DialplanPtr dialplan) override;
  EventStream& events() override { return log_; }

 private:
  // Runs `op` on the signaling thread and hands its result to `done` on the results thread.
  // Runs `op` on the signaling thread and hands the result it reports (then, or later, when a
  // re-INVITE is answered) to `done` on the results thread; "stopped" once the PBX is.
  template <typename Result>
  void runAsync(std::function<void(CallManager&, std::function<void(Result)>)> op,
                std::function<void(Result)> done);
  // The same for an operation whose result is at hand at once.
  template <typename Result>
  void run(std::function<Result(CallManager&)> op, std::function<void(Result)> done);

  Dispatcher& results_;
  EventLog log_;
  std::shared_ptr<SignalingPoster> poster_;
  CallManager* manager_ = nullptr;  // signaling thread only
};

}  // namespace pbx::call
