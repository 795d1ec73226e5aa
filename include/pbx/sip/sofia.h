// The sofia-sip implementations of EventLoop and SignalingStack.
//
// The loop wraps a sofia su_root in single-threaded mode; the stack is a nua user agent on
// that root. Create both on the thread that will run the loop (the signaling thread):
//
//   auto loop = pbx::sip::CreateSofiaEventLoop();                       // StatusOr
//   pbx::sip::SofiaStackOptions options;
//   options.listen = {"udp:127.0.0.1:5060", "tcp:127.0.0.1:5060"};
//   auto stack = pbx::sip::CreateSofiaStack(**loop, options);           // StatusOr
//   (*stack)->setHandler(&controller);
//   (*loop)->run();
//
// Thread-safety: only the loop's post() and stop() may be called from other threads.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "pbx/base/dispatcher.h"
#include "pbx/sip/signaling_stack.h"

namespace pbx::sip {

absl::StatusOr<EventLoopPtr> CreateSofiaEventLoop();

// How pbxkit bends sofia-sip for speed, where a program may want to turn it off (to measure,
// or to run next to another sofia-sip user in the same process). pbx::Pbx::Create() takes it
// beside the Options; the generic interfaces know none of it.
struct SofiaTuning {
  // A thread of its own (pbx-sip-send) sends on the SIP UDP socket: the signaling thread only
  // queues the datagrams (docs/architecture.md, Threads; docs/benchmarks.md).
  bool udpSendThread = true;
};

struct SofiaStackOptions {
  // "udp:IP:PORT", "tcp:IP:PORT" (IPv6 as "udp:[::1]:5060").
  std::vector<std::string> listen{"udp:127.0.0.1:5060"};
  std::string userAgent = "pbxkit";
  SofiaTuning tuning;
  // Methods listed in Allow (OPTIONS answers carry it too).
  std::string allow =
      "INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE, PRACK, REGISTER, REFER, NOTIFY, INFO";
};

// `loop` must come from CreateSofiaEventLoop() and outlive the stack.
absl::StatusOr<SignalingStackPtr> CreateSofiaStack(EventLoop& loop,
                                                   const SofiaStackOptions& options);

// What the UDP send thread (SofiaTuning::udpSendThread) has done; zeros without one.
struct SendThreadStats {
  uint64_t queued = 0;    // datagrams handed to the thread
  uint64_t direct = 0;    // datagrams sent at once instead (the first to a destination)
  uint64_t dropped = 0;   // datagrams it had no room for (it fell behind)
  uint64_t failed = 0;    // datagrams the kernel refused on the thread
  double cpuSeconds = 0;  // the thread's CPU time
};
// The send thread's figures of a stack CreateSofiaStack() made (zeros for any other stack).
// Signaling thread only.
SendThreadStats SofiaSendThreadStats(const SignalingStack& stack);

// Parses one listen entry ("udp:127.0.0.1:5060") into a SIP URI that sofia binds
// ("sip:127.0.0.1:5060;transport=udp"). Exposed for config validation.
absl::StatusOr<std::string> ListenEntryToUri(const std::string& entry);

}  // namespace pbx::sip
