#include "examples/pbxd/rest/phone_services.h"

#include <httplib.h>

#include <algorithm>
#include <future>
#include <memory>
#include <optional>

#include "absl/strings/str_cat.h"
#include "examples/pbxd/rest/call_json.h"
#include "examples/pbxd/rest/phone_operations.h"

namespace pbxd::rest {
namespace {

using nlohmann::json;
using pbx::call::CallInfo;

constexpr size_t kMaxCallUuidBytes = 128;

// Starts an operation with `start(callback)` and waits for the callback's value, at most
// `timeout`. The callback may run on any thread, before or after the wait gave up (the
// promise is shared with it), and only its first call counts.
template <typename T>
std::optional<T> Await(std::chrono::milliseconds timeout,
                       const std::function<void(std::function<void(T)>)>& start) {
  struct Shared {
    std::promise<T> promise;
    std::once_flag once;
  };
  auto shared = std::make_shared<Shared>();
  std::future<T> future = shared->promise.get_future();
  start([shared](T value) {
    std::call_once(shared->once, [&] { shared->promise.set_value(std::move(value)); });
  });
  if (future.wait_for(timeout) != std::future_status::ready) return std::nullopt;
  return future.get();
}

absl::Status TimedOut(std::chrono::milliseconds timeout) {
  return absl::DeadlineExceededError(
      absl::StrCat("the PBX did not complete the operation within ", timeout.count(), " ms"));
}

bool IsPrintableAscii(const std::string& text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7F; });
}

// The call_uuid of a click-to-call: the query's or the JSON body's (an object; its other
// fields, such as the seed's destination_type, are ignored). Empty when neither gives one.
absl::StatusOr<std::string> CallUuidOf(const httplib::Request& request) {
  std::optional<std::string> fromQuery;
  if (request.has_param("call_uuid")) fromQuery = request.get_param_value("call_uuid");
  std::optional<std::string> fromBody;
  if (!request.body.empty()) {
    json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded()) return absl::InvalidArgumentError("the body is not valid JSON");
    if (!body.is_object())
      return absl::InvalidArgumentError(
          "the body must be a JSON object like {\"call_uuid\": \"...\"}");
    auto it = body.find("call_uuid");
    if (it != body.end() && !it->is_null()) {
      if (!it->is_string()) return absl::InvalidArgumentError("call_uuid must be a string");
      fromBody = it->get<std::string>();
    }
  }
  if (fromQuery && fromBody && *fromQuery != *fromBody)
    return absl::InvalidArgumentError(
        "call_uuid is given in the query and in the body, "
        "with different values");
  std::string uuid = fromBody ? *fromBody : fromQuery.value_or("");
  if (uuid.size() > kMaxCallUuidBytes || !IsPrintableAscii(uuid))
    return absl::InvalidArgumentError(absl::StrCat("call_uuid must be at most ", kMaxCallUuidBytes,
                                                   " printable ASCII characters"));
  return uuid;
}

// Whether `call` involves `number`: as its caller or callee, or on one of its legs (by
// extension number or account).
bool Involves(const CallInfo& call, const std::string& number) {
  if (call.caller.number == number || call.callee.number == number) return true;
  return std::any_of(call.legs.begin(), call.legs.end(), [&](const pbx::call::LegInfo& leg) {
    return leg.party.number == number || leg.party.account == number;
  });
}

}  // namespace

PhoneServices::PhoneServices(pbx::call::CallControl& calls,
                             std::chrono::milliseconds operationTimeout)
    : calls_(calls), operationTimeout_(operationTimeout) {}

void PhoneServices::addRoutes(Router& router) {
  const std::string prefix = "/rest/phoneServices/";
  router.add({"GET", "POST"}, prefix + "c2c/{dest_exten}/{source_exten}",
             [this](const RequestContext& r, httplib::Response& res) { clickToCall(r, res); });
  router.add({"GET"}, prefix + "activeCalls",
             [this](const RequestContext& r, httplib::Response& res) { activeCalls(r, res); });
  router.add({"POST", "DELETE"}, prefix + "hangup/{linkedid}", onCall(operations::Hangup()));
  router.add({"POST"}, prefix + "blindTransfer/{linkedid}/{destination}",
             onCall(operations::BlindTransfer()));
  router.add({"POST"}, prefix + "attendedTransfer/{linkedid}/{linkedid2}",
             onCall(operations::AttendedTransfer()));
  router.add({"POST"}, prefix + "hold/{linkedid}", onCall(operations::Hold(true)));
  router.add({"POST"}, prefix + "unhold/{linkedid}", onCall(operations::Hold(false)));
  router.add({"POST"}, prefix + "dtmf/{linkedid}/{digits}", onCall(operations::SendDtmf()));
  router.add({"POST"}, prefix + "park/{linkedid}", onCall(operations::Park()));
  router.add({"POST"}, prefix + "unpark/{slot}/{destination}", onFoundCall(operations::Unpark()));
  router.add({"POST"}, prefix + "pickup/{ringing_exten}/{destination}",
             onFoundCall(operations::Pickup()));
  // The seed's v2 path, with and without its optional {source}.
  const std::string redirect = "/api/pbx/v2/phoneService/redirectCall/{linkedId}/internal/";
  router.add({"GET", "POST"}, redirect + "{destination}",
             onCall(operations::RedirectCall(), "linkedId"));
  router.add({"GET", "POST"}, redirect + "{destination}/{source}",
             onCall(operations::RedirectCall(), "linkedId"));
}

void PhoneServices::clickToCall(const RequestContext& request, httplib::Response& response) {
  auto uuid = CallUuidOf(request.http);
  if (!uuid.ok()) return ReplyStatus(response, uuid.status());
  pbx::call::OriginateRequest originate;
  originate.source = request.param("source_exten");
  originate.destination = request.param("dest_exten");
  originate.callUuid = *uuid;
  using Made = absl::StatusOr<pbx::CallId>;
  std::optional<Made> result = Await<Made>(operationTimeout_, [&](std::function<void(Made)> done) {
    calls_.originate(originate, std::move(done));
  });
  if (!result) return ReplyStatus(response, TimedOut(operationTimeout_));
  if (!result->ok()) return ReplyStatus(response, result->status());
  const std::string linkedid = (*result)->str();
  json body = {{"linkedid", linkedid},
               {"call_uuid", originate.callUuid},
               {"source", originate.source},
               {"destination", originate.destination}};
  // GET answers 200, as the seed's click-to-call does; POST says that it made a call.
  if (request.http.method == "POST") {
    response.set_header("Location", "/rest/phoneServices/activeCalls?linkedid=" + linkedid);
    return ReplyJson(response, 201, body);
  }
  ReplyJson(response, 200, body);
}

void PhoneServices::activeCalls(const RequestContext& request, httplib::Response& response) {
  const std::string extension = request.http.get_param_value("extension");
  std::optional<pbx::CallId> linkedid;
  if (request.http.has_param("linkedid")) {
    linkedid = ParseLinkedId(request.http.get_param_value("linkedid"));
    if (!linkedid)
      return ReplyError(response, 400, "linkedid must look like C1F (as the API writes it)");
  }
  using Listed = std::vector<CallInfo>;
  std::optional<Listed> calls =
      Await<Listed>(operationTimeout_,
                    [&](std::function<void(Listed)> done) { calls_.listCalls(std::move(done)); });
  if (!calls) return ReplyStatus(response, TimedOut(operationTimeout_));
  json list = json::array();
  for (const CallInfo& call : *calls) {
    if (linkedid && call.id != *linkedid) continue;
    if (!extension.empty() && !Involves(call, extension)) continue;
    list.push_back(CallJson(call));
  }
  ReplyJson(response, 200, {{"calls", std::move(list)}});
}

RouteHandler PhoneServices::onCall(CallOperation operation, std::string idParam) {
  return CallOperationHandler(calls_, operationTimeout_, std::move(operation), std::move(idParam));
}

RouteHandler CallOperationHandler(pbx::call::CallControl& calls, std::chrono::milliseconds timeout,
                                  PhoneServices::CallOperation operation, std::string idParam) {
  using Result = PhoneServices::Result;
  return [&calls, timeout, operation = std::move(operation), idParam = std::move(idParam)](
             const RequestContext& request, httplib::Response& response) {
    std::optional<pbx::CallId> id = ParseLinkedId(request.param(idParam));
    if (!id)
      return ReplyError(response, 400,
                        absl::StrCat(idParam, " must look like C1F (as the API writes it)"));
    std::optional<Result> result = Await<Result>(timeout, [&](std::function<void(Result)> done) {
      operation(calls, request, *id, std::move(done));
    });
    if (!result) return ReplyStatus(response, TimedOut(timeout));
    if (!result->ok()) return ReplyStatus(response, result->status());
    json body = {{"linkedid", id->str()}};
    if ((*result)->is_object()) body.update(**result);
    ReplyJson(response, 200, body);
  };
}

RouteHandler PhoneServices::onFoundCall(FindOperation operation) {
  return [this, operation = std::move(operation)](const RequestContext& request,
                                                  httplib::Response& response) {
    using Found = absl::StatusOr<pbx::CallId>;
    std::optional<Found> found = Await<Found>(
        operationTimeout_,
        [&](std::function<void(Found)> done) { operation(calls_, request, std::move(done)); });
    if (!found) return ReplyStatus(response, TimedOut(operationTimeout_));
    if (!found->ok()) return ReplyStatus(response, found->status());
    ReplyJson(response, 200, {{"linkedid", (*found)->str()}});
  };
}

}  // namespace pbxd::rest
