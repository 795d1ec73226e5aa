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
