// The SIP layer's options: listeners, domain, registration, overload control, session timers.
// Part of pbx::Options (pbx/options.h); pbxd fills them from its YAML `sip:` section.
//
// Thread-safety: value types.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace pbx {

struct RegistrationOptions {
  std::chrono::seconds minExpires{60};    // shorter requests are raised to this
  std::chrono::seconds maxExpires{3600};  // longer requests are lowered to this
  std::chrono::seconds defaultExpires{3600};
};

// Overload control: beyond these, new INVITEs get 503 + Retry-After instead of a call. The
// defaults are measured on a 2-core machine (docs/benchmarks.md gives the runs); raise them
// on a bigger one after measuring with tools/bench/sip-cps.
struct OverloadOptions {
  // Sustained rate of new calls admitted (a token bucket holding a second's worth): the
  // highest rate whose goodput still holds at twice the load.
  uint32_t maxCallSetupsPerSecond = 2800;
  // INVITE transactions of either leg with no response yet, not even a 100 or 180 (ringing
  // calls do not count): about a second of setups means a backlog that only grows.
  uint32_t maxPendingTransactions = 2000;
  // How full, in percent, the SIP UDP socket's receive buffer may be before new INVITEs get
  // 503: a signaling thread that far behind sheds new calls until it has caught up, on any
  // machine. 0 disables the check.
  uint32_t maxReceiveQueuePercent = 50;
  std::chrono::seconds retryAfter{5};
};

// RFC 4028 session timers, for callers that ask for them (Session-Expires or Supported: timer).
struct SessionTimerOptions {
  std::chrono::seconds interval{1800};  // when the caller names none
  std::chrono::seconds minSE{90};       // shorter requests get 422 with this Min-SE
};

struct SipOptions {
  std::vector<std::string> listen{"udp:127.0.0.1:5060", "tcp:127.0.0.1:5060"};
  std::string domain = "127.0.0.1";  // digest realm and host part of our URIs
  std::string userAgent = "pbxkit";
  RegistrationOptions registration;
  std::chrono::seconds noAnswerTimeout{30};
  OverloadOptions overload;
  SessionTimerOptions sessionTimer;
};

}  // namespace pbx
