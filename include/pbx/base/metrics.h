// Metrics: counters and gauges that any thread updates lock-free, rendered on demand in the
// Prometheus text exposition format (pbxd serves it on /metrics).
//
//   pbx::MetricsRegistry metrics;
//   pbx::Counter& started = metrics.counter("pbx_calls_started_total", "Calls started");
//   started.inc();
//   pbx::Counter& failed486 = metrics.counter("pbx_calls_failed_total", "Calls failed",
//                                             {{"code", "486"}});
//   std::string text = metrics.renderPrometheus();
//
// Thread-safety: every method may be called from any thread. References returned by
// counter()/gauge() stay valid for the registry's lifetime; asking again for the same name and
// labels returns the same object.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace pbx {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void add(double delta) {
    double cur = value_.load(std::memory_order_relaxed);
    while (!value_.compare_exchange_weak(cur, cur + delta, std::memory_order_relaxed)) {
    }
  }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class MetricsRegistry {
 public:
  Counter& counter(const std::string& name, const std::string& help,
                   const MetricLabels& labels = {});
  Gauge& gauge(const std::string& name, const std::string& help, const MetricLabels& labels = {});
  // A gauge whose value is computed when rendered (called on the rendering thread; the
  // function must be thread-safe).
  void callbackGauge(const std::string& name, const std::string& help,
                     std::function<double()> read);
  // Current value of a counter or gauge; 0 when absent. For tests and the CLI.
  double value(const std::string& name, const MetricLabels& labels = {}) const;
  std::string renderPrometheus() const;

 private:
  struct Family {
    std::string help;
    bool isCounter = true;
    std::map<std::string, std::unique_ptr<Counter>> counters;  // key: rendered labels
    std::map<std::string, std::unique_ptr<Gauge>> gauges;
    std::function<double()> callback;
  };
  Family& family(const std::string& name, const std::string& help, bool isCounter);

  mutable std::mutex mutex_;
  std::map<std::string, Family> families_;
};

}  // namespace pbx
