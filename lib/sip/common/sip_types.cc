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

absl::StatusOr<Uri> Uri::Parse(const std::string& text) {
  auto bad = [&](const char* why) {
    return absl::InvalidArgumentError("not a SIP URI (" + std::string(why) + "): " + text);
  };
  if (text.size() > 1024) return bad("too long");
  if (text.rfind("sip:", 0) != 0) return bad("it must start with sip:");
  for (char c : text)
    if (static_cast<unsigned char>(c) <= ' ' || c == '<' || c == '>' || c == '"')
      return bad("space, control character, quote or angle bracket");
  std::string rest = text.substr(4);
  Uri uri;
  if (auto semicolon = rest.find(';'); semicolon != std::string::npos) {
    uri.params = rest.substr(semicolon);
    rest.resize(semicolon);
  }
  if (rest.find('?') != std::string::npos) return bad("headers are not allowed");
  if (auto at = rest.rfind('@'); at != std::string::npos) {
    uri.user = rest.substr(0, at);
    if (uri.user.empty()) return bad("empty user");
    rest = rest.substr(at + 1);
  }
  std::string port;
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    if (close == std::string::npos) return bad("unterminated IPv6 address");
    uri.host = rest.substr(1, close - 1);
    rest = rest.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return bad("junk after the IPv6 address");
    if (!rest.empty()) port = rest.substr(1);
  } else {
    auto colon = rest.find(':');
    uri.host = rest.substr(0, colon);
    if (colon != std::string::npos) port = rest.substr(colon + 1);
  }
  if (uri.host.empty()) return bad("no host");
  if (uri.host.find('@') != std::string::npos) return bad("two @");
  if (!port.empty() || rest.find(':') != std::string::npos) {
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos)
      return bad("bad port");
    int value = std::stoi(port);
    if (value < 1 || value > 65535) return bad("port out of range");
    uri.port = static_cast<uint16_t>(value);
  }
  return uri;
}

}  // namespace pbx::sip
