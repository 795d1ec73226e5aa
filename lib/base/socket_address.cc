#include "pbx/base/socket_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <string>

namespace pbx {

absl::StatusOr<SocketAddress> SocketAddress::Parse(std::string_view ip, uint16_t port) {
  std::string text(ip);
  if (!text.empty() && text.front() == '[' && text.back() == ']')
    text = text.substr(1, text.size() - 2);
  SocketAddress out;
  char buf[INET6_ADDRSTRLEN];
  in_addr v4;
  in6_addr v6;
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    inet_ntop(AF_INET, &v4, buf, sizeof buf);
    out.v6_ = false;
  } else if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    inet_ntop(AF_INET6, &v6, buf, sizeof buf);
    out.v6_ = true;
  } else {
    return absl::InvalidArgumentError("not a numeric IP address: '" + text + "'");
  }
  out.ip_ = buf;
  out.port_ = port;
  return out;
}

std::optional<SocketAddress> SocketAddress::FromSockaddr(const sockaddr* address,
                                                         socklen_t length) {
  if (address == nullptr) return std::nullopt;
  SocketAddress out;
  char buf[INET6_ADDRSTRLEN];
  if (address->sa_family == AF_INET && length >= sizeof(sockaddr_in)) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(address);
    inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf);
    out.port_ = ntohs(in->sin_port);
  } else if (address->sa_family == AF_INET6 && length >= sizeof(sockaddr_in6)) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
    inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf);
    out.port_ = ntohs(in6->sin6_port);
    out.v6_ = true;
  } else {
    return std::nullopt;
  }
  out.ip_ = buf;
  return out;
}

SocketAddress SocketAddress::withPort(uint16_t port) const {
  SocketAddress out = *this;
  out.port_ = port;
  return out;
}

std::string SocketAddress::str() const {
  if (v6_) return "[" + ip_ + "]:" + std::to_string(port_);
  return ip_ + ":" + std::to_string(port_);
}

}  // namespace pbx
