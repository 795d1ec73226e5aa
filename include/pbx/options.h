// Options: everything pbx::Pbx::Create() needs, as plain values. pbxd fills them from YAML;
// programs that embed pbxkit fill them in code.
//
//   pbx::Options options;
//   options.sip.listen = {"udp:127.0.0.1:5060"};
//   options.sip.domain = "127.0.0.1";
//   options.directory.extensions.push_back({"100", {{"100", "secret"}}});
//
// Thread-safety: value types.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "pbx/media/media_engine.h"
#include "pbx/routing/dialplan.h"

namespace pbx {

struct Account {
  std::string username;  // SIP digest username (and the user part of its address of record)
  std::string password;
};

// A number that rings: every registered account of the extension rings in parallel.
struct Extension {
  std::string number;
  std::vector<Account> accounts;
  std::string displayName{};
  // Group pickup ("*9") takes calls ringing at extensions that share a group with the picker;
  // an extension without groups is in the one unnamed group.
  std::vector<std::string> pickupGroups{};
};

struct Directory {
  std::vector<Extension> extensions;
};

struct RegistrationOptions {
  std::chrono::seconds minExpires{60};    // shorter requests are raised to this
  std::chrono::seconds maxExpires{3600};  // longer requests are lowered to this
  std::chrono::seconds defaultExpires{3600};
};

struct OverloadOptions {
  // Sustained rate of new calls admitted (a token bucket holding a second's worth, so arrival
  // jitter and the catch-up after a stall pass); beyond it new INVITEs get 503 + Retry-After.
  // tools/bench/sip-cps on a 2-core machine (docs/benchmarks.md): the limit must hold under
  // twice the load it admits, where the 503 traffic takes its share. Since new INVITEs over
  // UDP are refused statelessly (0.027 ms of the signaling thread each, 0.064 through nua),
  // and SIP over UDP is sent by a thread of its own, 2600 and 2800 offered pass on a warm
  // pbxd about every other run (the receive-queue check refuses a few hundred calls in the
  // others), and limited to 2800, 5600 offered completed 2601 calls/s: a lower limit would
  // hold goodput under twice the best rate below 90% of it. Raise it on a bigger machine
  // after measuring.
  uint32_t maxCallSetupsPerSecond = 2800;
  // INVITE transactions of either leg that have had no response yet, not even a 100 or 180:
  // requests a loaded pbxd has not got to, or a next hop is not answering. Ringing calls do
  // not count, so a PBX may ring thousands of phones at once. Near 2200 calls/s a loaded
  // pbxd has a few hundred at its peaks (with 500, bursts at 2000 calls/s drew 503s); about
  // a second of setups means a backlog that only grows.
  uint32_t maxPendingTransactions = 2000;
  // How full, in percent, the SIP UDP socket's receive buffer may be before new INVITEs get
  // 503: a signaling thread that far behind sheds new calls until it has caught up, on any
  // machine, where the two limits above are numbers measured on one. Half of the buffer (the
  // kernel books 8 MiB for the 4 MiB asked) is ~1,800 datagrams, a tenth of a second of work; the
  // bursts of a healthy load stay well under it, and past 100% the kernel drops datagrams. 0
  // disables the check.
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
  // Whether a thread of its own sends SIP over UDP (the signaling thread only queues the
  // datagrams): a fifth of the signaling thread's time under load (docs/architecture.md).
  bool udpSendThread = true;
  RegistrationOptions registration;
  std::chrono::seconds noAnswerTimeout{30};
  OverloadOptions overload;
  SessionTimerOptions sessionTimer;
};

struct MediaOptions {
  media::MediaEngineOptions engine;
  // An answered call whose relay saw no RTP in either direction for this long is ended.
  // Zero disables the check.
  std::chrono::seconds rtpTimeout{60};
};

struct RoutingOptions {
  // How long a new call waits for an asynchronous dialplan's decision before it is refused
  // (500, Cause::kDialplanError). The caller hears ringing meanwhile.
  std::chrono::seconds decisionTimeout{10};
  // The park extension, slots and pickup codes of the default dialplan (and of REFERs to the
  // park extension).
  routing::NumberingPlan numbering;
  // A parked call nobody picked up rings the phone that parked it after this long.
  std::chrono::seconds parkTimeout{90};
};

struct EventOptions {
  // Call events kept for listeners that resume from a sequence number.
  size_t historySize = 10000;
};

struct Options {
  SipOptions sip;
  MediaOptions media;
  Directory directory;
  RoutingOptions routing;
  EventOptions events;
};

}  // namespace pbx
