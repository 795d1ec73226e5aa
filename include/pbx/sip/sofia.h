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

struct SofiaStackOptions {
  // "udp:IP:PORT", "tcp:IP:PORT" (IPv6 as "udp:[::1]:5060").
  std::vector<std::string> listen{"udp:127.0.0.1:5060"};
  std::string userAgent = "pbxkit";
  // Whether a thread of its own sends on the UDP socket (SipOptions::udpSendThread).
  bool udpSendThread = true;
  // Methods listed in Allow (OPTIONS answers carry it too).
  std::string allow = "INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE, REGISTER, REFER, NOTIFY, INFO";
};

// `loop` must come from CreateSofiaEventLoop() and outlive the stack.
absl::StatusOr<SignalingStackPtr> CreateSofiaStack(EventLoop& loop,
                                                   const SofiaStackOptions& options);

// Parses one listen entry ("udp:127.0.0.1:5060") into a SIP URI that sofia binds
// ("sip:127.0.0.1:5060;transport=udp"). Exposed for config validation.
absl::StatusOr<std::string> ListenEntryToUri(const std::string& entry);

}  // namespace pbx::sip
