// CallMetrics: the counters and gauges call control keeps, registered once by name.
//
// Thread-safety: the referenced metrics are atomics; the struct is built on one thread.
#pragma once

#include <string>

#include "pbx/base/metrics.h"

namespace pbx::call {

struct CallMetrics {
  explicit CallMetrics(MetricsRegistry& registry);

  Counter& failed(int status);  // pbx_calls_failed_total{code="..."}

  MetricsRegistry& registry;
  Gauge& registrations;
  Gauge& activeCalls;
  Counter& started;
  Counter& answered;
  Counter& overloadRejections;
  Counter& rtpTimeouts;
  Counter& rtpCallerToCallee;
  Counter& rtpCalleeToCaller;
  Counter& registerRequests;
  Counter& authFailures;
};

}  // namespace pbx::call
