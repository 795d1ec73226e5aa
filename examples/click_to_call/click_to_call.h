// Click-to-call with the call API: ring `source`, connect it to `destination`, and report the
// call's events until it ends. The same code drives a real pbx::Pbx (main.cc) and the
// simulation harness (tests/unit/examples/click_to_call_test.cc): both offer CallControl.
#pragma once

#include <pbx/call/call_control.h>

#include <chrono>
#include <functional>
#include <string>

namespace examples {

struct ClickToCallResult {
  absl::StatusOr<pbx::CallId> call = absl::UnknownError("not started");
  std::vector<std::string> events;  // "pbx.call.start 100", ... in order
  bool ended = false;
  pbx::call::Cause cause = pbx::call::Cause::kNormalClearing;
};

// Starts the call and subscribes to its events. `report` receives each event line as it
// happens (on the PBX's event thread) and `done` once the call ended or could not start.
// The returned subscription ends the reporting when destroyed.
absl::StatusOr<pbx::call::EventSubscriptionPtr> StartClickToCall(
    pbx::call::CallControl& calls, const std::string& source, const std::string& destination,
    const std::string& callUuid, std::function<void(const std::string& line)> report,
    std::function<void(const ClickToCallResult&)> done);

}  // namespace examples
