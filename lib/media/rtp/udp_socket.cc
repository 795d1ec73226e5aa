#include "lib/media/rtp/udp_socket.h"

#include <errno.h>
#include <netinet/ip.h>
#include <unistd.h>

#include <cstring>
#include <string>

namespace pbx::media::internal {
namespace {

// DSCP EF (expedited forwarding), the usual marking for voice media.
constexpr int kDscpExpeditedForwarding = 0xb8;

absl::Status ErrnoStatus(const char* what, int error) {
  std::string message = std::string(what) + ": " + std::strerror(error);
  if (error == EADDRINUSE) return absl::UnavailableError(message);
  return absl::InternalError(message);
}

}  // namespace

UdpSocket& UdpSocket::operator=(UdpSocket&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

void UdpSocket::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

absl::StatusOr<UdpSocket> UdpSocket::Bind(const InetAddress& local) {
  const int family = local.isV6() ? AF_INET6 : AF_INET;
  UdpSocket sock(::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!sock.valid()) return ErrnoStatus("socket", errno);
  // Best effort: marking is an optimisation for the network, not a requirement.
  int tos = kDscpExpeditedForwarding;
  if (local.isV6()) {
    setsockopt(sock.fd(), IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof tos);
  } else {
    setsockopt(sock.fd(), IPPROTO_IP, IP_TOS, &tos, sizeof tos);
  }
  if (::bind(sock.fd(), local.sockaddrPtr(), local.length()) != 0) {
    return ErrnoStatus(("bind " + local.toSocketAddress().str()).c_str(), errno);
  }
  return sock;
}

absl::StatusOr<PortPairSockets> BindPortPair(const InetAddress& address, uint16_t rtpPort) {
  PortPairSockets pair;
  auto rtp = UdpSocket::Bind(address.withPort(rtpPort));
  if (!rtp.ok()) return rtp.status();
  auto rtcp = UdpSocket::Bind(address.withPort(static_cast<uint16_t>(rtpPort + 1)));
  if (!rtcp.ok()) return rtcp.status();
  pair.rtp = std::move(*rtp);
  pair.rtcp = std::move(*rtcp);
  return pair;
}

}  // namespace pbx::media::internal
