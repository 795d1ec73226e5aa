// Metrics: counters, gauges and histograms that any thread updates lock-free, rendered on
// demand in the Prometheus text exposition format (pbxd serves it on /metrics).
//
//   pbx::MetricsRegistry metrics;
//   pbx::Counter& started = metrics.counter("pbx_calls_started_total", "Calls started");
//   started.inc();
//   pbx::Counter& failed486 = metrics.counter("pbx_calls_failed_total", "Calls failed",
//                                             {{"code", "486"}});
//   pbx::Histogram& lag = metrics.histogram("pbx_lag_seconds", "Lag", {0.001, 0.01, 0.1});
//   lag.observe(0.004);   // counted in the le="0.01" and le="0.1" buckets, and in +Inf
//   std::string text = metrics.renderPrometheus();
//
// Thread-safety: every method may be called from any thread. References returned by
// counter()/gauge()/histogram() stay valid for the registry's lifetime; asking again for the same
// name and labels returns the same object.
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

// Observations counted in buckets by upper bound (Prometheus "le", cumulative when rendered),
// with their count and sum.
class Histogram {
 public:
  explicit Histogram(std::vector<double> upperBounds);
  void observe(double v);
  const std::vector<double>& upperBounds() const { return bounds_; }
  // Observations <= upperBounds()[i] (cumulative); bucketCount(upperBounds().size()) is +Inf.
  uint64_t bucketCount(size_t i) const;
  uint64_t count() const { return bucketCount(bounds_.size()); }
  double sum() const { return sum_.value(); }

 private:
  std::vector<double> bounds_;                        // ascending
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // per bucket, not cumulative; +Inf last
  Gauge sum_;
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
  // The same for a counter: `read` must never return less than it did before.
  void callbackCounter(const std::string& name, const std::string& help,
                       std::function<double()> read);
  // Asking again for the same name returns the first histogram, whatever the bounds.
  Histogram& histogram(const std::string& name, const std::string& help,
                       std::vector<double> upperBounds);
  // Current value of a counter or gauge; 0 when absent. For tests and the CLI.
  double value(const std::string& name, const MetricLabels& labels = {}) const;
  std::string renderPrometheus() const;

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Family {
    std::string help;
    Type type = Type::kCounter;
    std::map<std::string, std::unique_ptr<Counter>> counters;  // key: rendered labels
    std::map<std::string, std::unique_ptr<Gauge>> gauges;
    std::unique_ptr<Histogram> histogram;
    std::function<double()> callback;
  };
  Family& family(const std::string& name, const std::string& help, Type type);

  mutable std::mutex mutex_;
  std::map<std::string, Family> families_;
};

}  // namespace pbx
