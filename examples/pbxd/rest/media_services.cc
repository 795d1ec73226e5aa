#include "examples/pbxd/rest/media_services.h"

#include <httplib.h>

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "examples/pbxd/rest/call_json.h"
#include "examples/pbxd/rest/phone_operations.h"

namespace pbxd::rest {

using nlohmann::json;

MediaServices::MediaServices(pbx::call::CallControl& calls, const pbx::TimeSource& time,
                             std::chrono::milliseconds operationTimeout, MediaFiles files,
                             Limits limits)
    : calls_(calls),
      time_(time),
      operationTimeout_(operationTimeout),
      files_(std::make_shared<const MediaFiles>(std::move(files))),
      limits_(limits) {}

void MediaServices::addRoutes(Router& router) {
  const std::string prefix = "/rest/phoneServices/";
  auto onCall = [this](PhoneServices::CallOperation operation) {
    return CallOperationHandler(calls_, operationTimeout_, std::move(operation));
  };
  router.add({"POST"}, prefix + "play/{linkedid}", onCall(operations::Play(files_)));
  router.add({"POST"}, prefix + "stopPlaying/{linkedid}", onCall(operations::StopPlaying()));
  router.add({"POST"}, prefix + "collectDigits/{linkedid}",
             [this](const RequestContext& r, httplib::Response& res) { collectDigits(r, res); });
  router.add({"POST"}, prefix + "record/{linkedid}",
             onCall(operations::StartRecording(files_, time_)));
  router.add({"POST"}, prefix + "pauseRecording/{linkedid}/{recording}",
             onCall(operations::PauseRecording(true)));
  router.add({"POST"}, prefix + "resumeRecording/{linkedid}/{recording}",
             onCall(operations::PauseRecording(false)));
  router.add({"POST"}, prefix + "stopRecording/{linkedid}/{recording}",
             onCall(operations::StopRecording()));
}

void MediaServices::stop() {
  std::lock_guard<std::mutex> lock(waiting_->mutex);
  waiting_->stopping = true;
  waiting_->changed.notify_all();
}

void MediaServices::collectDigits(const RequestContext& request, httplib::Response& response) {
  using Result = PhoneServices::Result;
  std::optional<pbx::CallId> id = ParseLinkedId(request.param("linkedid"));
  if (!id) return ReplyError(response, 400, "linkedid must look like C1F (as the API writes it)");
  auto body = operations::BodyObject(request.http, {"max_digits", "first_digit_timeout_ms",
                                                    "inter_digit_timeout_ms", "terminators"});
  if (!body.ok()) return ReplyStatus(response, body.status());
  auto collection = operations::ParseDigitCollection(*body, limits_.longestCollection);
  if (!collection.ok()) return ReplyStatus(response, collection.status());
  if (auto leg = operations::QueryLeg(request.http, "leg"); !leg.ok())
    return ReplyStatus(response, leg.status());
  {
    std::lock_guard<std::mutex> lock(waiting_->mutex);
    if (waiting_->stopping) return ReplyError(response, 503, "pbxd is stopping");
    if (waiting_->count >= limits_.maxWaiting)
      return ReplyError(response, 503,
                        absl::StrCat(limits_.maxWaiting, " digit collections are waiting already"));
    ++waiting_->count;
  }

  // The completion runs on the PBX's event thread, maybe after this handler gave up: it keeps
  // the slot and the waiting state alive itself.
  auto slot = std::make_shared<std::optional<Result>>();
  PhoneServices::ResultCallback done = [waiting = waiting_, slot](Result result) {
    std::lock_guard<std::mutex> lock(waiting->mutex);
    if (!*slot) *slot = std::move(result);
    waiting->changed.notify_all();
  };
  const pbx::call::DigitCollection rules = *collection;
  const pbx::CallId call = *id;
  operations::WithOptionalLeg(
      calls_, request, "leg", call,
      [calls = &calls_, call, rules, done](pbx::LegId leg) {
        calls->collectDigits(call, leg, rules,
                             [done](absl::StatusOr<pbx::call::CollectedDigits> collected) {
                               if (!collected.ok()) return done(collected.status());
                               done(operations::CollectedJson(*collected));
                             });
      },
      done);

  const auto deadline =
      std::chrono::steady_clock::now() + operations::LongestCollection(rules) + operationTimeout_;
  std::optional<Result> result;
  bool stopping = false;
  {
    std::unique_lock<std::mutex> lock(waiting_->mutex);
    waiting_->changed.wait_until(lock, deadline,
                                 [&] { return slot->has_value() || waiting_->stopping; });
    --waiting_->count;
    result = *slot;
    stopping = waiting_->stopping;
  }
  if (!result && stopping) return ReplyError(response, 503, "pbxd is stopping");
  if (!result)
    return ReplyError(response, 504,
                      absl::StrCat("the PBX did not end the collection within ",
                                   operationTimeout_.count(), " ms of its last timeout"));
  if (!result->ok()) return ReplyStatus(response, result->status());
  json answer = {{"linkedid", call.str()}};
  answer.update(**result);
  ReplyJson(response, 200, answer);
}

}  // namespace pbxd::rest
