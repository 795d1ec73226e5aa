#include "pbx/base/metrics.h"

#include <doctest/doctest.h>

TEST_CASE("counters and gauges render in Prometheus text format") {
  pbx::MetricsRegistry m;
  m.counter("pbx_calls_failed_total", "Calls failed", {{"code", "486"}}).inc(2);
  m.counter("pbx_calls_failed_total", "Calls failed", {{"code", "404"}}).inc();
  m.gauge("pbx_active_calls", "Active calls").set(3);
  m.callbackGauge("pbx_lag_seconds", "Loop lag", [] { return 0.25; });
  std::string text = m.renderPrometheus();
  CHECK(text.find("# TYPE pbx_calls_failed_total counter") != std::string::npos);
  CHECK(text.find("pbx_calls_failed_total{code=\"486\"} 2\n") != std::string::npos);
  CHECK(text.find("pbx_calls_failed_total{code=\"404\"} 1\n") != std::string::npos);
  CHECK(text.find("pbx_active_calls 3\n") != std::string::npos);
  CHECK(text.find("pbx_lag_seconds 0.25\n") != std::string::npos);
  CHECK(m.value("pbx_calls_failed_total", {{"code", "486"}}) == 2);
}

TEST_CASE("asking twice for the same metric returns the same object") {
  pbx::MetricsRegistry m;
  auto& a = m.counter("x_total", "x");
  auto& b = m.counter("x_total", "x");
  CHECK(&a == &b);
}

TEST_CASE("label values are escaped") {
  pbx::MetricsRegistry m;
  m.counter("x_total", "x", {{"reason", "a\"b"}}).inc();
  CHECK(m.renderPrometheus().find("x_total{reason=\"a\\\"b\"} 1") != std::string::npos);
}

TEST_CASE("a histogram renders cumulative buckets, +Inf, sum and count") {
  pbx::MetricsRegistry m;
  auto& h = m.histogram("pbx_lag_seconds", "Lag", {0.1, 0.01, 1});  // sorted on creation
  for (double v : {0.005, 0.01, 0.05, 0.5, 7.0}) h.observe(v);
  CHECK(&m.histogram("pbx_lag_seconds", "Lag", {5}) == &h);
  std::string text = m.renderPrometheus();
  CHECK(text.find("# TYPE pbx_lag_seconds histogram\n") != std::string::npos);
  // 0.01 itself belongs to le="0.01": a bound is inclusive.
  CHECK(text.find("pbx_lag_seconds_bucket{le=\"0.01\"} 2\n"
                  "pbx_lag_seconds_bucket{le=\"0.1\"} 3\n"
                  "pbx_lag_seconds_bucket{le=\"1\"} 4\n"
                  "pbx_lag_seconds_bucket{le=\"+Inf\"} 5\n"
                  "pbx_lag_seconds_sum 7.565\n"
                  "pbx_lag_seconds_count 5\n") != std::string::npos);
  CHECK(h.count() == 5);
}

TEST_CASE("a callback counter renders as a counter") {
  pbx::MetricsRegistry m;
  double seconds = 1.5;
  m.callbackCounter("pbx_cpu_seconds_total", "CPU", [&] { return seconds; });
  seconds = 2.5;
  std::string text = m.renderPrometheus();
  CHECK(text.find("# TYPE pbx_cpu_seconds_total counter\npbx_cpu_seconds_total 2.5\n") !=
        std::string::npos);
  CHECK(m.value("pbx_cpu_seconds_total") == 2.5);
}
