// Test helpers for the relay tests: UdpPhone, a plain UDP socket standing in for a phone's RTP
// or RTCP port, and WaitUntil(), a bounded wait for a condition another thread makes true.
//
// Thread-safety: a UdpPhone is used by one thread at a time.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "pbx/base/socket_address.h"

namespace pbx::media::testing {

using Bytes = std::vector<uint8_t>;

// An RTP packet: version 2, payload type 0 (PCMU), `payloadSize` bytes of a pattern.
inline Bytes RtpPacket(uint16_t sequence, size_t payloadSize = 160, uint8_t fill = 0x55) {
  Bytes packet(12 + payloadSize, fill);
  packet[0] = 0x80;
  packet[1] = 0x00;
  packet[2] = static_cast<uint8_t>(sequence >> 8);
  packet[3] = static_cast<uint8_t>(sequence);
  for (size_t i = 4; i < 12; ++i) packet[i] = static_cast<uint8_t>(i * 17);
  for (size_t i = 0; i < payloadSize; ++i) packet[12 + i] = static_cast<uint8_t>(fill + i);
  return packet;
}

// An RTCP receiver report without report blocks (8 bytes).
inline Bytes RtcpPacket() { return Bytes{0x80, 201, 0x00, 0x01, 0x12, 0x34, 0x56, 0x78}; }

struct Datagram {
  Bytes data;
  SocketAddress from;
};

class UdpPhone {
 public:
  // Binds `ip` on `port` (0: any free port). Check ok() before use.
  explicit UdpPhone(const std::string& ip = "127.0.0.1", uint16_t port = 0) {
    v6_ = ip.find(':') != std::string::npos;
    fd_ = socket(v6_ ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_storage local = Sockaddr(ip, port);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&local), Length()) != 0) {
      close(fd_);
      fd_ = -1;
      return;
    }
    socklen_t length = sizeof local;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&local), &length);
    address_ = *SocketAddress::Parse(ip, Port(local));
  }
  ~UdpPhone() {
    if (fd_ >= 0) close(fd_);
  }
  UdpPhone(const UdpPhone&) = delete;
  UdpPhone& operator=(const UdpPhone&) = delete;

  bool ok() const { return fd_ >= 0; }
  const SocketAddress& address() const { return address_; }

  bool sendTo(const SocketAddress& to, const Bytes& data) const {
    sockaddr_storage peer = Sockaddr(to.ip(), to.port());
    return sendto(fd_, data.data(), data.size(), 0, reinterpret_cast<sockaddr*>(&peer), Length()) ==
           static_cast<ssize_t>(data.size());
  }

  // The next datagram, waiting at most `timeout` for it.
  std::optional<Datagram> receive(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(timeout.count())) != 1) return std::nullopt;
    Datagram out;
    out.data.resize(65536);
    sockaddr_storage from{};
    socklen_t length = sizeof from;
    const ssize_t n = recvfrom(fd_, out.data.data(), out.data.size(), 0,
                               reinterpret_cast<sockaddr*>(&from), &length);
    if (n < 0) return std::nullopt;
    out.data.resize(static_cast<size_t>(n));
    char text[INET6_ADDRSTRLEN] = {};
    if (from.ss_family == AF_INET6) {
      inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&from)->sin6_addr, text, sizeof text);
    } else {
      inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&from)->sin_addr, text, sizeof text);
    }
    out.from = *SocketAddress::Parse(text, Port(from));
    return out;
  }

  // True when no datagram is queued right now (no waiting).
  bool idle() {
    pollfd p{fd_, POLLIN, 0};
    return poll(&p, 1, 0) == 0;
  }

 private:
  socklen_t Length() const { return v6_ ? sizeof(sockaddr_in6) : sizeof(sockaddr_in); }
  sockaddr_storage Sockaddr(const std::string& ip, uint16_t port) const {
    sockaddr_storage out{};
    if (v6_) {
      auto* in6 = reinterpret_cast<sockaddr_in6*>(&out);
      in6->sin6_family = AF_INET6;
      in6->sin6_port = htons(port);
      inet_pton(AF_INET6, ip.c_str(), &in6->sin6_addr);
    } else {
      auto* in4 = reinterpret_cast<sockaddr_in*>(&out);
      in4->sin_family = AF_INET;
      in4->sin_port = htons(port);
      inet_pton(AF_INET, ip.c_str(), &in4->sin_addr);
    }
    return out;
  }
  static uint16_t Port(const sockaddr_storage& address) {
    return ntohs(address.ss_family == AF_INET6
                     ? reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port
                     : reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
  }

  int fd_ = -1;
  bool v6_ = false;
  SocketAddress address_;
};

// Waits until `condition` holds, checking every millisecond; false after `limit`. The limit
// only keeps a broken build from hanging: passing tests never get near it.
inline bool WaitUntil(const std::function<bool()>& condition,
                      std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// A port on 127.0.0.1 that nothing listens on (bound, read, released).
inline uint16_t ClosedPort() {
  UdpPhone probe;
  return probe.address().port();
}

}  // namespace pbx::media::testing
