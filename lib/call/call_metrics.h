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
  // pbx_overload_rejections_total{reason="rate|pending|receive_queue"}
  Counter& overloadRejected(const char* reason);

  MetricsRegistry& registry;
  Gauge& registrations;
  Gauge& activeCalls;
  Counter& started;
  Counter& answered;
  Counter& rtpTimeouts;
  Counter& rtpCallerToCallee;
  Counter& rtpCalleeToCaller;
  Counter& registerRequests;
  Counter& authFailures;
};

}  // namespace pbx::call
