#include "pbx/base/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace pbx {
namespace {

std::string EscapeLabel(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out.append("\\n");
      continue;
    }
    out.push_back(c);
  }
  return out;
}

std::string RenderLabels(const MetricLabels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i) out.push_back(',');
    out.append(labels[i].first).append("=\"").append(EscapeLabel(labels[i].second)).append("\"");
  }
  out.push_back('}');
  return out;
}

std::string FormatNumber(double v) {
  if (std::isnan(v)) return "NaN";
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

Histogram::Histogram(std::vector<double> upperBounds)
    : bounds_(std::move(upperBounds)),
      buckets_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {
  std::sort(bounds_.begin(), bounds_.end());
  bounds_.erase(std::unique(bounds_.begin(), bounds_.end()), bounds_.end());
}

void Histogram::observe(double v) {
  // The first bucket whose bound is >= v; past the last bound, +Inf.
  size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.add(v);
}

uint64_t Histogram::bucketCount(size_t i) const {
  uint64_t total = 0;
  for (size_t b = 0; b <= std::min(i, bounds_.size()); ++b)
    total += buckets_[b].load(std::memory_order_relaxed);
  return total;
}

MetricsRegistry::Family& MetricsRegistry::family(const std::string& name, const std::string& help,
                                                 Type type) {
  auto [it, inserted] = families_.try_emplace(name);
  if (inserted) {
    it->second.help = help;
    it->second.type = type;
  }
  return it->second;
}

Counter& MetricsRegistry::counter(const std::string& name, const std::string& help,
                                  const MetricLabels& labels) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto& slot = family(name, help, Type::kCounter).counters[RenderLabels(labels)];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& MetricsRegistry::gauge(const std::string& name, const std::string& help,
                              const MetricLabels& labels) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto& slot = family(name, help, Type::kGauge).gauges[RenderLabels(labels)];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

void MetricsRegistry::callbackGauge(const std::string& name, const std::string& help,
                                    std::function<double()> read) {
  std::lock_guard<std::mutex> lock(mutex_);
  family(name, help, Type::kGauge).callback = std::move(read);
}

void MetricsRegistry::callbackCounter(const std::string& name, const std::string& help,
                                      std::function<double()> read) {
  std::lock_guard<std::mutex> lock(mutex_);
  family(name, help, Type::kCounter).callback = std::move(read);
}

Histogram& MetricsRegistry::histogram(const std::string& name, const std::string& help,
                                      std::vector<double> upperBounds) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto& slot = family(name, help, Type::kHistogram).histogram;
  if (!slot) slot = std::make_unique<Histogram>(std::move(upperBounds));
  return *slot;
}

double MetricsRegistry::value(const std::string& name, const MetricLabels& labels) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = families_.find(name);
  if (it == families_.end()) return 0;
  const Family& f = it->second;
  if (f.callback) return f.callback();
  std::string key = RenderLabels(labels);
  if (auto c = f.counters.find(key); c != f.counters.end()) return double(c->second->value());
  if (auto g = f.gauges.find(key); g != f.gauges.end()) return g->second->value();
  return 0;
}

std::string MetricsRegistry::renderPrometheus() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string out;
  for (const auto& [name, f] : families_) {
    out.append("# HELP ").append(name).append(" ").append(f.help).append("\n");
    out.append("# TYPE ").append(name).append(" ");
    if (f.histogram) {
      out.append("histogram\n");
      const Histogram& h = *f.histogram;
      for (size_t i = 0; i <= h.upperBounds().size(); ++i) {
        std::string le = i < h.upperBounds().size() ? FormatNumber(h.upperBounds()[i]) : "+Inf";
        out.append(name).append("_bucket{le=\"").append(le).append("\"} ");
        out.append(FormatNumber(double(h.bucketCount(i)))).append("\n");
      }
      out.append(name).append("_sum ").append(FormatNumber(h.sum())).append("\n");
      // The +Inf bucket, so that the two agree even while another thread observes.
      out.append(name).append("_count ").append(FormatNumber(double(h.count()))).append("\n");
      continue;
    }
    out.append(f.type == Type::kCounter ? "counter\n" : "gauge\n");
    if (f.callback) {
      out.append(name).append(" ").append(FormatNumber(f.callback())).append("\n");
      continue;
    }
    for (const auto& [labels, c] : f.counters)
      out.append(name)
          .append(labels)
          .append(" ")
          .append(FormatNumber(double(c->value())))
          .append("\n");
    for (const auto& [labels, g] : f.gauges)
      out.append(name).append(labels).append(" ").append(FormatNumber(g->value())).append("\n");
  }
  return out;
}

}  // namespace pbx
