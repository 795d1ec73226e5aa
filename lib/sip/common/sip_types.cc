#include "pbx/sip/signaling_stack.h"

namespace pbx::sip {

const char* TransportName(Transport transport) {
  switch (transport) {
    case Transport::kUdp:
      return "udp";
    case Transport::kTcp:
      return "tcp";
    case Transport::kTls:
      return "tls";
    case Transport::kWs:
      return "ws";
  }
  return "udp";
}

const char* TerminationReasonName(TerminationReason reason) {
  switch (reason) {
    case TerminationReason::kRemoteBye:
      return "remote-bye";
    case TerminationReason::kAckTimeout:
      return "ack-timeout";
    case TerminationReason::kTransportError:
      return "transport-error";
    case TerminationReason::kSessionExpired:
      return "session-expired";
    case TerminationReason::kShutdown:
      return "shutdown";
  }
  return "unknown";
}

std::string Uri::str() const {
  std::string out = "sip:";
  if (!user.empty()) out.append(user).append("@");
  bool v6 = host.find(':') != std::string::npos && (host.empty() || host.front() != '[');
  if (v6)
    out.append("[").append(host).append("]");
  else
    out.append(host);
  if (port != 0) out.append(":").append(std::to_string(port));
  out.append(params);
  return out;
}

}  // namespace pbx::sip
