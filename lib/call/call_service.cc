#include "lib/call/call_service.h"

namespace pbx::call {
namespace {
absl::Status Stopped() { return absl::FailedPreconditionError("the PBX is stopped"); }
}  // namespace

CallService::CallService(Dispatcher& results, const TimeSource& time, size_t historySize)
    : results_(results),
      log_(results, time, historySize),
      poster_(std::make_shared<SignalingPoster>()) {}

CallService::~CallService() { poster_->close(); }

void CallService::attach(CallManager& manager, Dispatcher& signaling) {
  manager_ = &manager;
  poster_->open(signaling);
}

void CallService::detach() {
  manager_ = nullptr;
  poster_->close();
}

template <typename Result>
void CallService::runAsync(std::function<void(CallManager&, std::function<void(Result)>)> op,
                           std::function<void(Result)> done) {
  std::function<void(Result)> deliver = [this, done](Result result) {
    if (done) results_.post([done, result = std::move(result)] { done(std::move(result)); });
  };
  bool posted = poster_->post([this, op = std::move(op), deliver] {
    if (manager_ == nullptr) return deliver(Result(Stopped()));
    op(*manager_, deliver);
  });
  if (!posted) deliver(Result(Stopped()));
}

template <typename Result>
void CallService::run(std::function<Result(CallManager&)> op, std::function<void(Result)> done) {
  runAsync<Result>(
      [op = std::move(op)](CallManager& m, std::function<void(Result)> d) { d(op(m)); },
      std::move(done));
}

void CallService::originate(const OriginateRequest& request,
                            std::function<void(absl::StatusOr<CallId>)> done) {
  run<absl::StatusOr<CallId>>([request](CallManager& m) { return m.originate(request); },
                              std::move(done));
}

void CallService::answer(CallId call, Completion done) {
  run<absl::Status>([call](CallManager& m) { return m.answer(call); }, std::move(done));
}

void CallService::reject(CallId call, Cause cause, int sipStatus, Completion done) {
  run<absl::Status>([=](CallManager& m) { return m.reject(call, cause, sipStatus); },
                    std::move(done));
}

void CallService::hangup(CallId call, Cause cause, Completion done) {
  run<absl::Status>([=](CallManager& m) { return m.hangup(call, cause); }, std::move(done));
}

void CallService::hold(CallId call, LegId leg, Completion done) {
  runAsync<absl::Status>(
      [=](CallManager& m, Completion d) { m.setHold(call, leg, true, std::move(d)); },
      std::move(done));
}

void CallService::unhold(CallId call, LegId leg, Completion done) {
  runAsync<absl::Status>(
      [=](CallManager& m, Completion d) { m.setHold(call, leg, false, std::move(d)); },
      std::move(done));
}

void CallService::blindTransfer(CallId call, std::string destination, LegId stays,
                                Completion done) {
  run<absl::Status>([=](CallManager& m) { return m.blindTransfer(call, destination, stays); },
                    std::move(done));
}

void CallService::attendedTransfer(CallId first, CallId second, Completion done) {
  runAsync<absl::Status>(
      [=](CallManager& m, Completion d) { m.attendedTransfer(first, second, std::move(d)); },
      std::move(done));
}

void CallService::park(CallId call, LegId stays,
                       std::function<void(absl::StatusOr<std::string>)> done) {
  run<absl::StatusOr<std::string>>([=](CallManager& m) { return m.park(call, stays); },
                                   std::move(done));
}

void CallService::unpark(std::string slot, std::string destination,
                         std::function<void(absl::StatusOr<CallId>)> done) {
  run<absl::StatusOr<CallId>>([=](CallManager& m) { return m.unpark(slot, destination); },
                              std::move(done));
}

void CallService::pickup(std::string ringing, std::string destination,
                         std::function<void(absl::StatusOr<CallId>)> done) {
  run<absl::StatusOr<CallId>>([=](CallManager& m) { return m.pickup(ringing, destination); },
                              std::move(done));
}

void CallService::earlyMedia(CallId call, Completion done) {
  run<absl::Status>([call](CallManager& m) { return m.earlyMedia(call); }, std::move(done));
}

void CallService::bridge(CallId first, CallId second, Completion done) {
  runAsync<absl::Status>(
      [=](CallManager& m, Completion d) { m.bridge(first, second, std::move(d)); },
      std::move(done));
}

void CallService::unbridge(CallId call, std::function<void(absl::StatusOr<CallId>)> done) {
  runAsync<absl::StatusOr<CallId>>(
      [call](CallManager& m, std::function<void(absl::StatusOr<CallId>)> d) {
        m.unbridge(call, std::move(d));
      },
      std::move(done));
}

void CallService::play(CallId call, LegId leg, media::PlayRequest request, Completion done) {
  runAsync<absl::Status>(
      [=](CallManager& m, Completion d) { m.play(call, leg, request, std::move(d)); },
      std::move(done));
}

void CallService::stopPlaying(CallId call, LegId leg, Completion done) {
  run<absl::Status>([=](CallManager& m) { return m.stopPlaying(call, leg); }, std::move(done));
}

void CallService::collectDigits(CallId call, LegId leg, DigitCollection request,
                                std::function<void(absl::StatusOr<CollectedDigits>)> done) {
  using Result = absl::StatusOr<CollectedDigits>;
  runAsync<Result>([=](CallManager& m,
                       std::function<void(Result)> d) { m.collectDigits(call, leg, request, d); },
                   std::move(done));
}

void CallService::startRecording(CallId call, RecordingRequest request,
                                 std::function<void(absl::StatusOr<uint64_t>)> done) {
  run<absl::StatusOr<uint64_t>>([=](CallManager& m) { return m.startRecording(call, request); },
                                std::move(done));
}

void CallService::pauseRecording(CallId call, uint64_t recording, bool paused, Completion done) {
  run<absl::Status>([=](CallManager& m) { return m.pauseRecording(call, recording, paused); },
                    std::move(done));
}

void CallService::stopRecording(CallId call, uint64_t recording, Completion done) {
  run<absl::Status>([=](CallManager& m) { return m.stopRecording(call, recording); },
                    std::move(done));
}

void CallService::sendDtmf(CallId call, LegId leg, std::string digits, Completion done) {
  run<absl::Status>([=](CallManager& m) { return m.sendDtmf(call, leg, digits); }, std::move(done));
}

void CallService::listCalls(std::function<void(std::vector<CallInfo>)> done) {
  if (!done) return;
  auto deliver = [this, done](std::vector<CallInfo> calls) {
    results_.post([done, calls = std::move(calls)] { done(calls); });
  };
  bool posted = poster_->post(
      [this, deliver] { deliver(manager_ ? manager_->listCalls() : std::vector<CallInfo>{}); });
  if (!posted) deliver({});
}

void CallService::setDialplan(routing::DialplanPtr dialplan) {
  poster_->post([this, dialplan = std::move(dialplan)] {
    if (manager_) manager_->setDialplan(dialplan);
  });
}

}  // namespace pbx::call
