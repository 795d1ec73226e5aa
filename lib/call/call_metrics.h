// CallMetrics: the counters and gauges call control keeps, registered once by name.
//
// Thread-safety: the referenced metrics are atomics; the struct is built and used on the
// signaling thread (overloadRejected fills its cache there).
#pragma once

#include <array>
#include <string>
#include <utility>

#include "lib/call/overload_guard.h"
#include "pbx/base/metrics.h"
#include "pbx/media/media_types.h"

namespace pbx::call {

struct CallMetrics {
  explicit CallMetrics(MetricsRegistry& registry);

  Counter& failed(int status);  // pbx_calls_failed_total{code="..."}
  // pbx_overload_rejections_total{reason="rate|pending|receive_queue"}. Looked up in the
  // registry (under its lock, which a scrape holds while it renders) once per reason, so
  // refusing a flood of INVITEs does not wait on /metrics.
  Counter& overloadRejected(OverloadGuard::Refusal refusal);
  // pbx_sip_stateless_responses_total{code="407|503"}: new INVITEs answered without a
  // transaction (SignalingHandler::screenInvite). Cached like overloadRejected.
  Counter& statelessResponse(int status);
  // pbx_dtmf_total{method="rfc4733|info|inband"}: digits the phones sent.
  Counter& dtmf(media::DtmfMethod method);
  // pbx_call_legs_media_total{codec="...",path="relayed|transcoded"}: answered legs at their
  // call's end, by the codec they used and whether the relay transcoded then.
  Counter& callMedia(const std::string& codec, bool transcoded);

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
  Counter& recordingsStarted;  // pbx_recordings_total{result="started"}
  Counter& recordingsFailed;   // pbx_recordings_total{result="failed"}

 private:
  std::array<Counter*, 4> overloadRejections_{};                  // by OverloadGuard::Refusal
  std::array<std::pair<int, Counter*>, 2> statelessResponses_{};  // by status, first come
};

}  // namespace pbx::call
