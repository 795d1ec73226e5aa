#include "examples/pbxd/rest/router.h"

#include <httplib.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "examples/pbxd/rest/call_json.h"

namespace pbxd::rest {
namespace {

// Debian's Abseil has a string_view of its own, which StrCat() takes.
absl::string_view View(std::string_view text) { return {text.data(), text.size()}; }

bool IsParameter(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// "/a/b/{c}" -> {"a", "b", "{c}"}; "/" -> {""}.
std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> segments;
  if (path.empty() || path.front() != '/') return segments;
  size_t start = 1;
  for (;;) {
    size_t slash = path.find('/', start);
    segments.push_back(path.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return segments;
}

bool IsPrintableAscii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c > 0x20 && c < 0x7F; });
}

// What a client may be shown of a method or path it sent: printable ASCII, not too long.
std::string Printable(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 200)) out += (c >= 0x20 && c < 0x7F) ? c : '?';
  if (text.size() > 200) out += "...";
  return out;
}

}  // namespace

const std::string& RequestContext::param(std::string_view name) const {
  static const std::string kNone;
  auto it = params.find(name);
  return it == params.end() ? kNone : it->second;
}

Router::Router(RestAuthenticator& authenticator, Limits limits)
    : authenticator_(authenticator), limits_(limits) {}

void Router::add(std::initializer_list<std::string_view> methods, std::string_view pattern,
                 RouteHandler handler, Access access) {
  for (std::string_view method : methods) {
    for (const Route& route : routes_) {
      if (route.info.method == method && route.info.pattern == pattern) {
        std::fprintf(stderr, "pbxd: REST route %s %s added twice\n", std::string(method).c_str(),
                     std::string(pattern).c_str());
        std::abort();
      }
    }
    Route route;
    route.info = {std::string(method), std::string(pattern), access};
    for (std::string_view segment : Split(pattern)) route.segments.emplace_back(segment);
    route.handler = handler;
    routes_.push_back(std::move(route));
  }
}

std::vector<const Router::Route*> Router::matching(
    const std::vector<std::string_view>& segments) const {
  std::vector<const Route*> out;
  for (const Route& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    bool match = true;
    for (size_t i = 0; i < segments.size() && match; ++i) {
      const std::string& want = route.segments[i];
      match = IsParameter(want) ? !segments[i].empty() : want == segments[i];
    }
    if (match) out.push_back(&route);
  }
  return out;
}

void Router::dispatch(const httplib::Request& request, httplib::Response& response) const {
  if (request.path.size() > limits_.maxPathBytes) {
    ReplyError(response, 414,
               absl::StrCat("the path is longer than ", limits_.maxPathBytes, " bytes"));
    return;
  }
  const std::vector<std::string_view> segments = Split(request.path);
  const std::vector<const Route*> candidates = matching(segments);
  if (candidates.empty()) {
    ReplyError(response, 404,
               absl::StrCat("no such endpoint: ", Printable(request.method), " ",
                            Printable(request.path), " (the API is described at /api/doc.json)"));
    return;
  }
  const std::string method = request.method == "HEAD" ? "GET" : request.method;
  auto found = std::find_if(candidates.begin(), candidates.end(),
                            [&](const Route* r) { return r->info.method == method; });
  if (found == candidates.end()) {
    std::vector<std::string> allowed;
    for (const Route* r : candidates) allowed.push_back(r->info.method);
    response.set_header("Allow", absl::StrJoin(allowed, ", "));
    ReplyError(
        response, 405,
        absl::StrCat(Printable(request.method), " is not served on ", Printable(request.path),
                     " (allowed: ", absl::StrJoin(allowed, ", "), ")"));
    return;
  }
  const Route& route = **found;

  RequestContext context{request, {}, {}, {}};
  if (route.info.access == Access::kAuthenticated) {
    const std::string header(kAuthenticateHeader);
    const size_t count = request.get_header_value_count(header);
    if (count == 0) {
      ReplyError(response, 401,
                 absl::StrCat("this endpoint needs the ", View(kAuthenticateHeader), " header"));
      return;
    }
    if (count > 1) {
      ReplyError(response, 400,
                 absl::StrCat(View(kAuthenticateHeader), " is given ", count, " times: send one"));
      return;
    }
    AuthResult auth = authenticator_.verify(request.get_header_value(header));
    if (!auth.ok()) {
      ReplyError(response, HttpStatusFor(auth.verdict), auth.message);
      return;
    }
    context.username = std::move(auth.username);
    context.domain = std::move(auth.domain);
  }

  for (size_t i = 0; i < segments.size(); ++i) {
    const std::string& name = route.segments[i];
    if (!IsParameter(name)) continue;
    if (segments[i].size() > limits_.maxParamBytes || !IsPrintableAscii(segments[i])) {
      ReplyError(response, 400,
                 absl::StrCat("path parameter ", name, ": expected 1 to ", limits_.maxParamBytes,
                              " printable ASCII characters (percent-encoded as needed)"));
      return;
    }
    context.params.emplace(name.substr(1, name.size() - 2), segments[i]);
  }

  try {
    route.handler(context, response);
  } catch (const std::exception& e) {
    ReplyError(response, 500, absl::StrCat("internal error: ", e.what()));
  }
}

std::vector<RouteInfo> Router::routes() const {
  std::vector<RouteInfo> out;
  for (const Route& route : routes_) out.push_back(route.info);
  return out;
}

void ReplyJson(httplib::Response& response, int status, const nlohmann::json& body) {
  response.status = status;
  response.set_content(DumpJson(body) + "\n", "application/json");
}

void ReplyError(httplib::Response& response, int status, std::string_view message) {
  ReplyJson(response, status, {{"error", message}, {"code", status}});
}

int HttpStatusForError(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kInvalidArgument:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
      return 409;
    case absl::StatusCode::kOutOfRange:
      return 410;
    case absl::StatusCode::kUnimplemented:
      return 501;
    case absl::StatusCode::kResourceExhausted:
      return 503;
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    default:
      return 500;
  }
}

void ReplyStatus(httplib::Response& response, const absl::Status& status) {
  std::string_view message(status.message().data(), status.message().size());
  ReplyError(response, HttpStatusForError(status), message);
}

}  // namespace pbxd::rest
