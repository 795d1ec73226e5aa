#include "lib/call/call_metrics.h"

namespace pbx::call {

CallMetrics::CallMetrics(MetricsRegistry& r)
    : registry(r),
      registrations(r.gauge("pbx_registrations", "Accounts with a registered location")),
      activeCalls(r.gauge("pbx_calls_active", "Calls in progress (ringing or answered)")),
      started(r.counter("pbx_calls_started_total", "Calls admitted and routed")),
      answered(r.counter("pbx_calls_answered_total", "Calls answered")),
      rtpTimeouts(r.counter("pbx_rtp_timeouts_total", "Calls ended for RTP inactivity")),
      rtpCallerToCallee(r.counter("pbx_rtp_packets_relayed_total", "RTP packets relayed",
                                  {{"direction", "caller_to_callee"}})),
      rtpCalleeToCaller(r.counter("pbx_rtp_packets_relayed_total", "RTP packets relayed",
                                  {{"direction", "callee_to_caller"}})),
      registerRequests(r.counter("pbx_register_requests_total", "REGISTER requests received")),
      authFailures(r.counter("pbx_auth_failures_total", "Requests rejected with 403")),
      recordingsStarted(
          r.counter("pbx_recordings_total", "Call recordings", {{"result", "started"}})),
      recordingsFailed(
          r.counter("pbx_recordings_total", "Call recordings", {{"result", "failed"}})) {}

Counter& CallMetrics::dtmf(media::DtmfMethod method) {
  return registry.counter("pbx_dtmf_total", "DTMF digits the phones sent",
                          {{"method", std::string(media::DtmfMethodName(method))}});
}

Counter& CallMetrics::callMedia(const std::string& codec, bool transcoded) {
  return registry.counter("pbx_call_legs_media_total",
                          "Answered legs at their call's end, by codec and media path",
                          {{"codec", codec}, {"path", transcoded ? "transcoded" : "relayed"}});
}

Counter& CallMetrics::failed(int status) {
  return registry.counter("pbx_calls_failed_total", "Calls that ended without an answer",
                          {{"code", std::to_string(status)}});
}

Counter& CallMetrics::overloadRejected(OverloadGuard::Refusal refusal) {
  Counter*& slot = overloadRejections_.at(static_cast<size_t>(refusal));
  if (slot == nullptr)
    slot = &registry.counter("pbx_overload_rejections_total",
                             "New INVITEs answered 503 because of overload, by the limit passed",
                             {{"reason", OverloadGuard::Name(refusal)}});
  return *slot;
}

Counter& CallMetrics::statelessResponse(int status) {
  auto lookUp = [&] {
    return &registry.counter("pbx_sip_stateless_responses_total",
                             "New INVITEs without credentials answered over UDP without a "
                             "transaction (a 407 challenge, or a 503 under overload)",
                             {{"code", std::to_string(status)}});
  };
  for (auto& [cached, counter] : statelessResponses_) {
    if (counter == nullptr) {
      cached = status;
      counter = lookUp();
    }
    if (cached == status) return *counter;
  }
  return *lookUp();
}

}  // namespace pbx::call
