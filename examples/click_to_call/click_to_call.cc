#include "click_to_call.h"

#include <memory>
#include <mutex>

namespace examples {

absl::StatusOr<pbx::call::EventSubscriptionPtr> StartClickToCall(
    pbx::call::CallControl& calls, const std::string& source, const std::string& destination,
    const std::string& callUuid, std::function<void(const std::string& line)> report,
    std::function<void(const ClickToCallResult&)> done) {
  // Events and the originate result arrive on the same event thread, in order; the state is
  // shared with the callbacks, which may outlive this function.
  auto result = std::make_shared<ClickToCallResult>();
  pbx::call::EventFilter filter;
  filter.callUuid = callUuid;  // this call's events only
  auto subscription = calls.events().subscribe(
      filter, std::nullopt, [result, report, done](const pbx::call::CallEvent& e) {
        std::string line = std::string(pbx::call::EventName(e.type)) + " " + e.party.number;
        if (e.end) line += std::string(" ") + pbx::call::CauseName(e.end->cause);
        result->events.push_back(line);
        report(line);
        if (e.type == pbx::call::CallEventType::kCallEnded) {
          result->ended = true;
          result->cause = e.end ? e.end->cause : pbx::call::Cause::kNormalClearing;
          done(*result);
        }
      });
  if (!subscription.ok()) return subscription.status();

  pbx::call::OriginateRequest request;
  request.source = source;
  request.destination = destination;
  request.callUuid = callUuid;
  calls.originate(request, [result, done](absl::StatusOr<pbx::CallId> id) {
    result->call = id;
    if (!id.ok()) done(*result);
  });
  return subscription;
}

}  // namespace examples
