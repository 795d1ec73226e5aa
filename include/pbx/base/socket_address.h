// SocketAddress: an IP address and port as a value type (IPv4 or IPv6), for SDP connection
// data, RTP peers and SIP sources.
//
//   auto addr = pbx::SocketAddress::Parse("127.0.0.1", 4000);   // StatusOr
//   addr->str();   // "127.0.0.1:4000"   ("[::1]:4000" for IPv6)
//
// Thread-safety: a value type.
#pragma once

#include <sys/socket.h>

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace pbx {

class SocketAddress {
 public:
  SocketAddress() = default;
  // `ip` is a numeric IPv4 or IPv6 address (no brackets); no name resolution happens here.
  static absl::StatusOr<SocketAddress> Parse(std::string_view ip, uint16_t port);
  // What a socket call wrote (getsockname, recvfrom, ...): nothing for a family other than
  // AF_INET/AF_INET6 or a length too short for it.
  static std::optional<SocketAddress> FromSockaddr(const sockaddr* address, socklen_t length);

  const std::string& ip() const { return ip_; }
  uint16_t port() const { return port_; }
  bool isV6() const { return v6_; }
  bool empty() const { return ip_.empty(); }
  SocketAddress withPort(uint16_t port) const;
  std::string str() const;

  auto operator<=>(const SocketAddress&) const = default;

 private:
  std::string ip_;  // canonical text form
  uint16_t port_ = 0;
  bool v6_ = false;
};

}  // namespace pbx
