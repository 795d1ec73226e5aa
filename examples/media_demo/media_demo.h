// A program's own call handling with the call API's media operations: every call is answered,
// hears a prompt and is recorded; then its digits are collected and reported, the recording is
// stopped and, once the file is complete, the call is hung up. The same code runs on a real
// pbx::Pbx (main.cc) and on the simulation harness (tests/unit/examples/media_demo_test.cc).
//
//   examples::MediaDemo::Settings settings;
//   settings.prompt = "/usr/share/pbx/welcome.wav";
//   settings.recordings = "/var/spool/pbx";
//   auto demo = std::make_shared<examples::MediaDemo>(pbx->calls(), settings, print);
//   auto following = demo->follow(pbx->calls().events());   // recordings and ends of calls
//   pbx->calls().setDialplan(demo);
//
// Thread-safety: route() runs on the signaling thread and the rest on the event thread; the
// sessions they share are guarded by a mutex. The CallControl must outlive the demo, and the
// subscription follow() returns must be destroyed before the PBX.
#pragma once

#include <pbx/call/call_control.h>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/base/thread_annotations.h"

namespace examples {

class MediaDemo final : public pbx::routing::Dialplan,
                        public std::enable_shared_from_this<MediaDemo> {
 public:
  struct Settings {
    std::string prompt;      // played once the call is answered
    std::string recordings;  // the folder the calls are recorded to, "<call id>.wav"
    pbx::call::DigitCollection digits{.maxDigits = 4,
                                      .firstDigitTimeout = std::chrono::seconds(5),
                                      .interDigitTimeout = std::chrono::seconds(3),
                                      .terminators = "#"};
  };
  // What became of one call, once it ended.
  struct Result {
    pbx::CallId call;
    std::string digits;
    pbx::call::CollectedDigits::Reason reason = pbx::call::CollectedDigits::Reason::kTimeout;
    std::string recording;  // the WAV, once complete on disk; empty if the recording failed
  };
  using Report = std::function<void(const std::string& line)>;

  MediaDemo(pbx::call::CallControl& calls, Settings settings, Report report,
            std::function<void(const Result&)> done = {})
      : calls_(calls),
        settings_(std::move(settings)),
        report_(std::move(report)),
        done_(std::move(done)) {}

  void route(const pbx::routing::IncomingCall& call,
             pbx::routing::DecisionCallback decide) override;

  // Subscribes the demo to the events it waits for: a recording complete on disk (then the
  // call is hung up) and the end of a call. The demo answers calls either way; without the
  // subscription they are not hung up after the digits.
  absl::StatusOr<pbx::call::EventSubscriptionPtr> follow(pbx::call::EventStream& events);

 private:
  struct Session {
    Result result;
    uint64_t recording = 0;  // 0 until startRecording() completed
  };
  void collect(std::shared_ptr<Session> session);
  void onEvent(const pbx::call::CallEvent& event);

  pbx::call::CallControl& calls_;
  const Settings settings_;
  const Report report_;
  const std::function<void(const Result&)> done_;
  std::mutex mutex_;
  std::map<pbx::CallId, std::shared_ptr<Session>> sessions_ ABSL_GUARDED_BY(mutex_);
};

// "max-digits", "terminator", "timeout", "leg-ended".
const char* ReasonName(pbx::call::CollectedDigits::Reason reason);

}  // namespace examples
