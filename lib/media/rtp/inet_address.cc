#include "lib/media/rtp/inet_address.h"

#include <arpa/inet.h>

#include <cstring>

namespace pbx::media::internal {

absl::StatusOr<InetAddress> InetAddress::From(const SocketAddress& address) {
  InetAddress out;
  if (address.isV6()) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&out.storage_);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(address.port());
    if (inet_pton(AF_INET6, address.ip().c_str(), &in6->sin6_addr) != 1) {
      return absl::InvalidArgumentError("bad IPv6 address: " + address.ip());
    }
    out.length_ = sizeof(sockaddr_in6);
  } else {
    auto* in4 = reinterpret_cast<sockaddr_in*>(&out.storage_);
    in4->sin_family = AF_INET;
    in4->sin_port = htons(address.port());
    if (inet_pton(AF_INET, address.ip().c_str(), &in4->sin_addr) != 1) {
      return absl::InvalidArgumentError("bad IPv4 address: " + address.ip());
    }
    out.length_ = sizeof(sockaddr_in);
  }
  return out;
}

InetAddress InetAddress::FromSockaddr(const sockaddr* address, socklen_t length) {
  InetAddress out;
  if (address->sa_family == AF_INET && length >= sizeof(sockaddr_in)) {
    std::memcpy(&out.storage_, address, sizeof(sockaddr_in));
    out.length_ = sizeof(sockaddr_in);
  } else if (address->sa_family == AF_INET6 && length >= sizeof(sockaddr_in6)) {
    std::memcpy(&out.storage_, address, sizeof(sockaddr_in6));
    out.length_ = sizeof(sockaddr_in6);
  }
  return out;
}

uint16_t InetAddress::port() const {
  if (empty()) return 0;
  return ntohs(isV6() ? reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port
                      : reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
}

InetAddress InetAddress::withPort(uint16_t port) const {
  InetAddress out = *this;
  if (empty()) return out;
  if (isV6()) {
    reinterpret_cast<sockaddr_in6*>(&out.storage_)->sin6_port = htons(port);
  } else {
    reinterpret_cast<sockaddr_in*>(&out.storage_)->sin_port = htons(port);
  }
  return out;
}

SocketAddress InetAddress::toSocketAddress() const {
  return SocketAddress::FromSockaddr(sockaddrPtr(), length_).value_or(SocketAddress{});
}

bool InetAddress::sameAs(const InetAddress& other) const {
  if (empty() || other.empty()) return empty() && other.empty();
  return matches(other.sockaddrPtr(), other.length());
}

bool InetAddress::matches(const sockaddr* address, socklen_t length) const {
  if (empty() || address->sa_family != storage_.ss_family) return false;
  if (isV6()) {
    if (length < sizeof(sockaddr_in6)) return false;
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&storage_);
    const auto* b = reinterpret_cast<const sockaddr_in6*>(address);
    return a->sin6_port == b->sin6_port &&
           std::memcmp(&a->sin6_addr, &b->sin6_addr, sizeof(in6_addr)) == 0;
  }
  if (length < sizeof(sockaddr_in)) return false;
  const auto* a = reinterpret_cast<const sockaddr_in*>(&storage_);
  const auto* b = reinterpret_cast<const sockaddr_in*>(address);
  return a->sin_port == b->sin_port && a->sin_addr.s_addr == b->sin_addr.s_addr;
}

}  // namespace pbx::media::internal
