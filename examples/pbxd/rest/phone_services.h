// PhoneServices: the call control endpoints of pbxd's REST API, on the seed PBX's paths
// (spec §4.3, "Phone services"):
//
//   GET|POST    /rest/phoneServices/c2c/{dest_exten}/{source_exten}   click-to-call
//   GET         /rest/phoneServices/activeCalls[?extension=100][&linkedid=C1F]
//   POST|DELETE /rest/phoneServices/hangup/{linkedid}
//   POST        /rest/phoneServices/blindTransfer/{linkedid}/{destination}[?stays=caller]
//   POST        /rest/phoneServices/attendedTransfer/{linkedid}/{linkedid2}
//   POST        /rest/phoneServices/hold/{linkedid}[?leg=callee]       (and unhold/)
//   POST        /rest/phoneServices/dtmf/{linkedid}/{digits}[?to=callee]
//   POST        /rest/phoneServices/park/{linkedid}[?stays=caller]     -> {"linkedid", "slot"}
//   POST        /rest/phoneServices/unpark/{slot}/{destination}
//   POST        /rest/phoneServices/pickup/{ringing_exten}/{destination}
//   GET|POST    /api/pbx/v2/phoneService/redirectCall/{linkedId}/internal/{destination}[/{source}]
//
// Each is an adapter over pbx::call::CallControl: the handler, on an HTTP thread, starts the
// operation and waits for its completion, which the call API runs on the PBX's event thread.
// It waits at most `operationTimeout` and then answers 504: an HTTP thread never blocks on the
// signaling thread without a bound, so a PBX that is stopping cannot hold the server's
// shutdown up. Errors are answered as router.h maps them (unknown extension 404, nothing
// registered for it 409, no such call 404, ...; docs/rest-api.md).
//
// Legs named by role (`?to=callee`, leg_selector.h) are resolved with listCalls() inside the
// same operation, on the PBX's event thread: one wait, one timeout. Everything an operation
// needs after the handler returned (a 504) is copied into it, never referenced.
//
//   PhoneServices services(pbx->calls(), std::chrono::seconds(5));
//   services.addRoutes(router);
//
// Thread-safety: the handlers run on any number of HTTP threads at once.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "examples/pbxd/rest/router.h"
#include "pbx/call/call_control.h"

namespace pbxd::rest {

class PhoneServices {
 public:
  PhoneServices(pbx::call::CallControl& calls, std::chrono::milliseconds operationTimeout);

  void addRoutes(Router& router);

  // What an operation reports: the fields its answer adds to {"linkedid": ...} (an object,
  // empty for most), or why it failed.
  using Result = absl::StatusOr<nlohmann::json>;
  using ResultCallback = std::function<void(Result)>;
  // Starts an operation on the call `id` named by the path's linkedid; the request gives the
  // operation its other parameters ({destination}, {digits}, ?leg=, ...). It may refuse at once
  // (done(InvalidArgumentError(...)) before it returns) and must copy what it keeps of `request`.
  using CallOperation =
      std::function<void(pbx::call::CallControl& calls, const RequestContext& request,
                         pbx::CallId id, ResultCallback done)>;
  // Starts an operation that finds its call by other means ({slot}, {ringing_exten}) and
  // reports the call's id.
  using FindOperation =
      std::function<void(pbx::call::CallControl& calls, const RequestContext& request,
                         std::function<void(absl::StatusOr<pbx::CallId>)> done)>;

 private:
  void clickToCall(const RequestContext& request, httplib::Response& response);
  void activeCalls(const RequestContext& request, httplib::Response& response);
  // CallOperationHandler() with the services' call API and timeout.
  RouteHandler onCall(CallOperation operation, std::string idParam = "linkedid");
  // A handler that runs `operation`: 200 {"linkedid": ...} with the call it reported.
  RouteHandler onFoundCall(FindOperation operation);

  pbx::call::CallControl& calls_;
  const std::chrono::milliseconds operationTimeout_;
};

// A handler that runs `operation` on the call named by the path parameter `idParam` and waits
// for it at most `timeout`: 200 {"linkedid": ..., <the operation's fields>} once it completed,
// 400 for a malformed linkedid or parameter, 404 for a call that is not (or no longer) there,
// 409 for one whose state does not allow it, 504 on the timeout. `calls` must outlive it.
RouteHandler CallOperationHandler(pbx::call::CallControl& calls, std::chrono::milliseconds timeout,
                                  PhoneServices::CallOperation operation,
                                  std::string idParam = "linkedid");

}  // namespace pbxd::rest
