#include "examples/pbxd/rest/rest_server.h"

#include <httplib.h>

#include "absl/strings/str_cat.h"
#include "examples/pbxd/listen_address.h"

namespace pbxd::rest {
namespace {

// What httplib answers by itself says only its status; the body says it in JSON.
const char* ReasonFor(int status) {
  switch (status) {
    case 400:
      return "malformed request";
    case 404:
      return "no such endpoint (the API is described at /api/doc.json)";
    case 413:
      return "the body is too large";
    case 414:
      return "the URI is too long";
    case 416:
      return "bad Range header";
    default:
      return status >= 500 ? "internal error" : "request refused";
  }
}

}  // namespace

RestAuthOptions AuthOptionsFor(const RestConfig& config) {
  RestAuthOptions options;
  for (const auto& user : config.users)
    options.users.push_back({user.username, user.password, config.domain});
  if (!config.salt.empty()) options.salts[config.domain] = config.salt;
  return options;
}

absl::StatusOr<std::unique_ptr<RestServer>> RestServer::Start(const RestConfig& config,
                                                              pbx::call::CallControl& calls,
                                                              const Options& options) {
  auto address = ListenAddress::Parse(config.listen);
  if (!address.ok())
    return absl::InvalidArgumentError(absl::StrCat("rest.listen: ", address.status().message()));
  std::unique_ptr<RestServer> server(new RestServer());
  auto api = RestApi::Create(AuthOptionsFor(config), server->time_, calls, options.api);
  if (!api.ok()) return api.status();
  server->api_ = *std::move(api);

  auto http = std::make_unique<httplib::Server>();
  const size_t threads = options.api.events.maxStreams + options.requestThreads;
  http->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http->set_payload_max_length(options.maxBodyBytes);
  http->set_keep_alive_timeout(options.keepAliveSeconds);
  http->set_read_timeout(options.readTimeoutSeconds, 0);
  http->set_write_timeout(options.readTimeoutSeconds, 0);
  RestApi* restApi = server->api_.get();
  auto dispatch = [restApi](const httplib::Request& request, httplib::Response& response) {
    restApi->router().dispatch(request, response);
  };
  // The router matches paths itself; the ".*" patterns below hand it the requests with a
  // body, once httplib has read it. It refuses long paths before any regular expression runs
  // over them (libstdc++'s recurses per character). A request without Content-Length and
  // Transfer-Encoding has no body (RFC 9112 section 6.3), but httplib 0.11 would read one
  // until the client closes the connection: such requests (a GET, a `curl -X POST`) are
  // dispatched here, before any body is read.
  const size_t maxPathBytes = options.api.limits.maxPathBytes;
  http->set_pre_routing_handler([maxPathBytes, dispatch](const httplib::Request& request,
                                                         httplib::Response& response) {
    if (request.path.size() > maxPathBytes) {
      ReplyError(response, 414, absl::StrCat("the path is longer than ", maxPathBytes, " bytes"));
    } else if (!request.has_header("Content-Length") && !request.has_header("Transfer-Encoding")) {
      dispatch(request, response);
    } else {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    return httplib::Server::HandlerResponse::Handled;
  });
  http->Get(".*", dispatch);
  http->Post(".*", dispatch);
  http->Put(".*", dispatch);
  http->Patch(".*", dispatch);
  http->Delete(".*", dispatch);
  http->Options(".*", dispatch);
  http->set_error_handler(httplib::Server::HandlerWithResponse(
      [](const httplib::Request&, httplib::Response& response) {
        if (!response.body.empty() || response.has_header("Content-Type"))
          return httplib::Server::HandlerResponse::Unhandled;
        ReplyError(response, response.status, ReasonFor(response.status));
        return httplib::Server::HandlerResponse::Handled;
      }));
  http->set_exception_handler(
      [](const httplib::Request&, httplib::Response& response, std::exception_ptr) {
        ReplyError(response, 500, "internal error");
      });
  if (!http->bind_to_port(address->host, address->port))
    return absl::UnavailableError("cannot listen for the REST API on " + config.listen);
  server->server_ = std::move(http);
  httplib::Server* raw = server->server_.get();
  server->thread_ = std::thread([raw] { raw->listen_after_bind(); });
  return server;
}

RestServer::~RestServer() { stop(); }

void RestServer::stop() {
  if (api_) api_->stop();
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace pbxd::rest
