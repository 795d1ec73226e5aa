#include "examples/pbxd/metrics_server.h"

#include <httplib.h>

#include "absl/strings/numbers.h"

namespace pbxd {

MetricsServer::MetricsServer(pbx::MetricsRegistry& metrics) : metrics_(metrics) {}

MetricsServer::~MetricsServer() { stop(); }

absl::Status MetricsServer::start(const std::string& listen) {
  size_t colon = listen.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(listen.substr(colon + 1), &port) ||
      port <= 0 || port > 65535)
    return absl::InvalidArgumentError("metrics.listen must be IP:PORT, got '" + listen + "'");
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  server_ = std::make_unique<httplib::Server>();
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics_.renderPrometheus(), "text/plain; version=0.0.4; charset=utf-8");
  });
  if (!server_->bind_to_port(host.c_str(), port))
    return absl::UnavailableError("cannot listen for metrics on " + listen);
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return absl::OkStatus();
}

void MetricsServer::stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace pbxd
