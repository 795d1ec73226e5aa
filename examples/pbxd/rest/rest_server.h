// RestServer: serves pbxd's REST API (rest_api.h) over HTTP with cpp-httplib, on the
// `rest.listen` address of the config, from threads of its own.
//
// Every request goes to the Router; what httplib refuses by itself (a request line it cannot
// parse 400, a body over Options::maxBodyBytes 413, a URI over its 8 KB 414) gets the same
// JSON error body. The pool has a thread for each event stream allowed and
// Options::requestThreads more, so open streams never starve the other requests.
//
// stop() ends the event streams, stops accepting and joins the threads. No thread waits on
// the PBX without a bound (phone_services.h), so stop it before the Pbx: then requests that
// are waiting still get their answers.
//
//   auto server = pbxd::rest::RestServer::Start(config.rest, pbx->calls());
//   if (!server.ok()) return server.status();
//   ...
//   (*server)->stop();
//   pbx->stop();
//
// Thread-safety: stop() from any thread but the server's own.
#pragma once

#include <memory>
#include <thread>

#include "absl/status/statusor.h"
#include "examples/pbxd/config.h"
#include "examples/pbxd/rest/rest_api.h"
#include "pbx/base/time_source.h"
#include "pbx/call/call_control.h"

namespace httplib {
class Server;
}

namespace pbxd::rest {

// The authenticator's options for a config's `rest:` section: its users, all in its domain,
// and the domain's salt if the config gives one.
RestAuthOptions AuthOptionsFor(const RestConfig& config);

class RestServer {
 public:
  struct Options {
    RestApi::Options api{};
    size_t requestThreads = 8;        // besides one per event stream allowed
    size_t maxBodyBytes = 64 * 1024;  // longer bodies get 413
    time_t keepAliveSeconds = 2;      // an idle connection is closed after this
    time_t readTimeoutSeconds = 5;    // a request must arrive this fast
  };

  // Binds `config.listen` and serves from then on. InvalidArgument for a bad config,
  // Unavailable when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<RestServer>> Start(const RestConfig& config,
                                                           pbx::call::CallControl& calls,
                                                           const Options& options);
  static absl::StatusOr<std::unique_ptr<RestServer>> Start(const RestConfig& config,
                                                           pbx::call::CallControl& calls) {
    return Start(config, calls, Options{});
  }
  ~RestServer();

  // Idempotent.
  void stop();

 private:
  RestServer() = default;

  pbx::RealTimeSource time_;
  std::unique_ptr<RestApi> api_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace pbxd::rest
