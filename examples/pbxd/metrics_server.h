// MetricsServer: serves a MetricsRegistry in Prometheus text format on GET /metrics, from
// its own thread (rendering reads atomics; it never touches the signaling thread).
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "pbx/base/metrics.h"

namespace httplib {
class Server;
}

namespace pbxd {

class MetricsServer {
 public:
  explicit MetricsServer(pbx::MetricsRegistry& metrics);
  ~MetricsServer();
  // `listen` is "IP:PORT". Returns once the port is bound.
  absl::Status start(const std::string& listen);
  void stop();

 private:
  pbx::MetricsRegistry& metrics_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace pbxd
