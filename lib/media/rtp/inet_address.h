// InetAddress: a SocketAddress in the form the socket calls take (sockaddr_in / sockaddr_in6),
// so the packet path compares and sends to addresses without parsing text.
//
// Thread-safety: a value type.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include "absl/status/statusor.h"
#include "pbx/base/socket_address.h"

namespace pbx::media::internal {

class InetAddress {
 public:
  InetAddress() = default;
  static absl::StatusOr<InetAddress> From(const SocketAddress& address);
  // Copies what recvmmsg wrote; a family other than AF_INET/AF_INET6 gives an empty address.
  static InetAddress FromSockaddr(const sockaddr* address, socklen_t length);

  bool empty() const { return length_ == 0; }
  bool isV6() const { return storage_.ss_family == AF_INET6; }
  uint16_t port() const;
  InetAddress withPort(uint16_t port) const;
  SocketAddress toSocketAddress() const;

  const sockaddr* sockaddrPtr() const { return reinterpret_cast<const sockaddr*>(&storage_); }
  socklen_t length() const { return length_; }

  // Same family, address and port (IPv6 flow info and scope are ignored).
  bool sameAs(const InetAddress& other) const;
  // The same test against a source address as recvmmsg wrote it, without copying it.
  bool matches(const sockaddr* address, socklen_t length) const;

 private:
  sockaddr_storage storage_{};
  socklen_t length_ = 0;
};

}  // namespace pbx::media::internal
