// Router: the routes of pbxd's REST API and the gate every request passes through.
//
// A route is a method and a path pattern of literal segments and `{name}` parameters, one
// segment each. dispatch() finds the route, checks the caller's X-authenticate header
// (rest_auth.h) unless the route is anonymous, checks the parameters, and hands the request
// to the route's handler. Everything it refuses is answered with a JSON error body
// `{"error": "...", "code": <status>}`, and nothing else happens:
//
//   unknown path 404; known path, other method 405 (with Allow); path longer than
//   Limits::maxPathBytes 414; no X-authenticate 401, a malformed one 400, bad credentials, a
//   replayed nonce or a stale Created 401 (RestAuthenticator); a parameter that is empty,
//   longer than Limits::maxParamBytes or not printable ASCII 400.
//
//   Router router(authenticator);
//   router.add({"POST", "DELETE"}, "/rest/phoneServices/hangup/{linkedid}",
//              [&](const RequestContext& request, httplib::Response& response) {
//                auto id = ParseLinkedId(request.param("linkedid"));
//                ...
//                ReplyJson(response, 200, {{"linkedid", id->str()}});
//              });
//   server.Post(".*", [&](const auto& req, auto& res) { router.dispatch(req, res); });
//
// The handlers answer errors of the call API with ReplyStatus(), which maps absl codes to
// HTTP statuses (HttpStatusForError()).
//
// Thread-safety: add() before the first dispatch(); dispatch() from any number of threads
// (the authenticator is thread-safe; handlers must be too).
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "examples/pbxd/rest/rest_auth.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace pbxd::rest {

enum class Access {
  kAuthenticated,  // needs a valid X-authenticate header
  kAnonymous,      // the salt and the API document: what a client needs before it can sign
};

// One request as a handler sees it.
struct RequestContext {
  const httplib::Request& http;
  std::map<std::string, std::string, std::less<>> params;  // {name} -> its path segment
  std::string username;  // who signed the request; empty on anonymous routes
  std::string domain;

  // The path segment of the route's `{name}`; empty for a name the route does not have.
  const std::string& param(std::string_view name) const;
};

using RouteHandler =
    std::function<void(const RequestContext& request, httplib::Response& response)>;

struct RouteInfo {
  std::string method;   // "GET", "POST", "DELETE"
  std::string pattern;  // "/rest/phoneServices/hangup/{linkedid}"
  Access access = Access::kAuthenticated;
};

class Router {
 public:
  struct Limits {
    size_t maxPathBytes = 2048;  // the whole decoded path
    size_t maxParamBytes = 256;  // one {name} segment
  };

  explicit Router(RestAuthenticator& authenticator) : Router(authenticator, Limits{}) {}
  Router(RestAuthenticator& authenticator, Limits limits);

  // Serves `pattern` for each of `methods`. A method and pattern served twice is a bug of
  // ours, and aborts.
  void add(std::initializer_list<std::string_view> methods, std::string_view pattern,
           RouteHandler handler, Access access = Access::kAuthenticated);

  // Answers one request (HEAD as GET). Exceptions of a handler become a 500.
  void dispatch(const httplib::Request& request, httplib::Response& response) const;

  // Every method and pattern served, in the order added (for the OpenAPI document's test).
  std::vector<RouteInfo> routes() const;

 private:
  struct Route {
    RouteInfo info;
    std::vector<std::string> segments;  // "{name}" for a parameter
    RouteHandler handler;
  };

  // The routes whose pattern matches `segments`, whatever their method.
  std::vector<const Route*> matching(const std::vector<std::string_view>& segments) const;

  RestAuthenticator& authenticator_;
  const Limits limits_;
  std::vector<Route> routes_;
};

// Sets `body` (one line of JSON) as the response with `status`.
void ReplyJson(httplib::Response& response, int status, const nlohmann::json& body);
// {"error": message, "code": status}
void ReplyError(httplib::Response& response, int status, std::string_view message);
// The HTTP status for an error of the call API (docs/rest-api.md, Errors): InvalidArgument
// 400, NotFound 404, Unavailable (nothing registered for the extension, a phone refused a
// re-INVITE), FailedPrecondition (the call's state does not allow it) and Aborted (a party
// left during the operation) 409, OutOfRange 410,
// ResourceExhausted 503, DeadlineExceeded 504, Unimplemented 501, anything else 500.
int HttpStatusForError(const absl::Status& status);
// ReplyError(response, HttpStatusForError(status), status.message()).
void ReplyStatus(httplib::Response& response, const absl::Status& status);

}  // namespace pbxd::rest
