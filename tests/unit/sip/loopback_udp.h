// LoopbackUdp: a non-blocking UDP socket bound to a free loopback port, for tests of what
// pbxkit does at sofia-sip's sockets. Closed at the end of its scope.
#pragma once

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

namespace pbx::testing {

struct LoopbackUdp {
  int fd = -1;
  sockaddr_in address{};

  LoopbackUdp() {
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    int size = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  }
  ~LoopbackUdp() { close(fd); }
  LoopbackUdp(const LoopbackUdp&) = delete;
  LoopbackUdp& operator=(const LoopbackUdp&) = delete;

  const sockaddr* to() const { return reinterpret_cast<const sockaddr*>(&address); }

  void sendTo(const LoopbackUdp& peer, const std::string& datagram) const {
    REQUIRE(sendto(fd, datagram.data(), datagram.size(), 0, peer.to(), sizeof peer.address) ==
            static_cast<ssize_t>(datagram.size()));
  }

  // Whether a datagram waits, after waiting up to `timeout` for one.
  bool readable(std::chrono::milliseconds timeout) const {
    pollfd p{fd, POLLIN, 0};
    return poll(&p, 1, static_cast<int>(timeout.count())) == 1;
  }

  // The datagrams that arrive until none has for `quiet`.
  std::vector<std::string> receive(
      std::chrono::milliseconds quiet = std::chrono::milliseconds(500)) const {
    std::vector<std::string> received;
    char buffer[2048];
    while (readable(quiet)) {
      ssize_t n;
      while ((n = recv(fd, buffer, sizeof buffer, 0)) >= 0) received.emplace_back(buffer, n);
    }
    return received;
  }
};

}  // namespace pbx::testing
