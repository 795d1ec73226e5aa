// PhoneServices: the call control endpoints of pbxd's REST API, on the seed PBX's paths
// (spec §4.3, "Phone services"):
//
//   GET|POST    /rest/phoneServices/c2c/{dest_exten}/{source_exten}   click-to-call
//   GET         /rest/phoneServices/activeCalls[?extension=100][&linkedid=C1F]
//   POST|DELETE /rest/phoneServices/hangup/{linkedid}
//
// Each is an adapter over pbx::call::CallControl: the handler, on an HTTP thread, starts the
// operation and waits for its completion, which the call API runs on the PBX's event thread.
// It waits at most `operationTimeout` and then answers 504: an HTTP thread never blocks on the
// signaling thread without a bound, so a PBX that is stopping cannot hold the server's
// shutdown up. Errors are answered as router.h maps them (unknown extension 404, nothing
// registered for it 409, no such call 404, ...; docs/rest-api.md).
//
// An operation on one call is a CallOperation, and its endpoint one line in addRoutes(): the
// hold, unhold, blind transfer and DTMF endpoints come the same way once CallControl has them.
//
//   PhoneServices services(pbx->calls(), std::chrono::seconds(5));
//   services.addRoutes(router);
//
// Thread-safety: the handlers run on any number of HTTP threads at once.
#pragma once

#include <chrono>
#include <functional>

#include "examples/pbxd/rest/router.h"
#include "pbx/call/call_control.h"

namespace pbxd::rest {

class PhoneServices {
 public:
  PhoneServices(pbx::call::CallControl& calls, std::chrono::milliseconds operationTimeout);

  void addRoutes(Router& router);

 private:
  // Starts an operation on the call `id` named by the path's {linkedid}; the request gives
  // the operation its other parameters ({destination}, {digits}, ...).
  using CallOperation =
      std::function<void(pbx::call::CallControl& calls, const RequestContext& request,
                         pbx::CallId id, pbx::call::Completion done)>;

  void clickToCall(const RequestContext& request, httplib::Response& response);
  void activeCalls(const RequestContext& request, httplib::Response& response);
  // A handler that runs `operation` on the call named by {linkedid}: 200 {"linkedid": ...}
  // once it completed, 400 for a malformed linkedid, 404 for a call that is not (or no
  // longer) there, 409 for one whose state does not allow it, 504 on the timeout.
  RouteHandler onCall(CallOperation operation);

  pbx::call::CallControl& calls_;
  const std::chrono::milliseconds operationTimeout_;
};

}  // namespace pbxd::rest
