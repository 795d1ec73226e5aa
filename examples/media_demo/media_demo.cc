#include "media_demo.h"

namespace examples {

using pbx::call::CallEventType;
using pbx::call::CollectedDigits;

const char* ReasonName(CollectedDigits::Reason reason) {
  switch (reason) {
    case CollectedDigits::Reason::kMaxDigits:
      return "max-digits";
    case CollectedDigits::Reason::kTerminator:
      return "terminator";
    case CollectedDigits::Reason::kTimeout:
      return "timeout";
    case CollectedDigits::Reason::kLegEnded:
      return "leg-ended";
  }
  return "?";
}

void MediaDemo::route(const pbx::routing::IncomingCall& call,
                      pbx::routing::DecisionCallback decide) {
  decide(pbx::routing::Decision::Answer());
  auto session = std::make_shared<Session>();
  session->result.call = call.id;
  {
    std::lock_guard lock(mutex_);
    sessions_[call.id] = session;
  }
  // Operations asked for here run after the answer: the signaling thread applies the
  // decision first. The recording starts before the prompt, so it holds it (right channel).
  pbx::call::RecordingRequest recording{.path = settings_.recordings + "/" + call.id.str() + ".wav",
                                        .mode = pbx::media::RecordingMode::kStereo};
  calls_.startRecording(call.id, recording, [this, session](absl::StatusOr<uint64_t> id) {
    if (id.ok()) session->recording = *id;
    if (!id.ok()) report_("recording: " + std::string(id.status().message()));
  });
  calls_.play(call.id, {}, {.files = {settings_.prompt}}, [this, session](absl::Status played) {
    if (!played.ok()) report_("prompt: " + std::string(played.message()));
    collect(session);
  });
}

void MediaDemo::collect(std::shared_ptr<Session> session) {
  const pbx::CallId call = session->result.call;
  calls_.collectDigits(
      call, {}, settings_.digits, [this, session, call](absl::StatusOr<CollectedDigits> got) {
        if (got.ok()) {
          session->result.digits = got->digits;
          session->result.reason = got->reason;
          report_("digits " + got->digits + " (" + ReasonName(got->reason) + ")");
        }
        // The hang-up follows the recording's end (onEvent), so the file is complete first.
        if (session->recording == 0) return calls_.hangup(call);
        calls_.stopRecording(call, session->recording, [this, call](absl::Status stopped) {
          if (!stopped.ok()) calls_.hangup(call);
        });
      });
}

absl::StatusOr<pbx::call::EventSubscriptionPtr> MediaDemo::follow(pbx::call::EventStream& events) {
  pbx::call::EventFilter filter;
  filter.types = {CallEventType::kRecordingStopped, CallEventType::kRecordingFailed,
                  CallEventType::kCallEnded};
  return events.subscribe(
      filter, std::nullopt,
      [self = shared_from_this()](const pbx::call::CallEvent& event) { self->onEvent(event); });
}

void MediaDemo::onEvent(const pbx::call::CallEvent& event) {
  std::shared_ptr<Session> session;
  {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(event.call);
    if (it == sessions_.end()) return;
    session = it->second;
    if (event.type == CallEventType::kCallEnded) sessions_.erase(it);
  }
  switch (event.type) {
    case CallEventType::kRecordingStopped:
      session->result.recording = event.detail;
      report_("recorded " + event.detail);
      calls_.hangup(event.call);
      return;
    case CallEventType::kRecordingFailed:
      report_("recording failed: " + event.detail);
      calls_.hangup(event.call);
      return;
    default:
      report_("call " + event.call.str() + " ended");
      if (done_) done_(session->result);
      return;
  }
}

}  // namespace examples
