#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sofia-sip/su.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "lib/sip/sofia/udp_sender.h"
#include "tests/unit/free_port.h"
#include "tests/unit/sip/loopback_udp.h"

using namespace std::chrono_literals;
using pbx::sip::internal::UdpSender;

namespace {

using Socket = pbx::testing::LoopbackUdp;

// One datagram, as sofia-sip sends one.
ssize_t Send(UdpSender& sender, std::string_view datagram, const sockaddr* to, socklen_t length) {
  iovec iov{const_cast<char*>(datagram.data()), datagram.size()};
  return sender.send(&iov, 1, MSG_NOSIGNAL, to, length);
}

std::vector<std::string> Numbered(const char* prefix, int count) {
  std::vector<std::string> datagrams;
  for (int i = 0; i < count; ++i) datagrams.push_back(prefix + std::to_string(i));
  return datagrams;
}

}  // namespace

TEST_CASE(
    "the first datagram to a destination goes at once, later ones through the thread, in order") {
  Socket from, receiver;
  UdpSender sender(from.fd);
  auto sent = Numbered("datagram ", 2000);
  for (const auto& datagram : sent)
    CHECK(Send(sender, datagram, receiver.to(), sizeof receiver.address) ==
          static_cast<ssize_t>(datagram.size()));
  CHECK(receiver.receive() == sent);
  auto stats = sender.stats();
  CHECK(stats.direct == 1);
  CHECK(stats.queued == sent.size() - 1);
  CHECK(stats.dropped == 0);
  CHECK(stats.failed == 0);
  CHECK(stats.cpuSeconds > 0);
}

TEST_CASE("the destructor sends what is still queued") {
  Socket from, receiver;
  auto sent = Numbered("queued ", 500);
  {
    UdpSender sender(from.fd);
    for (const auto& datagram : sent)
      Send(sender, datagram, receiver.to(), sizeof receiver.address);
  }
  CHECK(receiver.receive() == sent);
}

TEST_CASE("a destination the kernel refuses gets its error at once, every time") {
  Socket from;
  UdpSender sender(from.fd);
  sockaddr_in broadcast{};  // refused without SO_BROADCAST
  broadcast.sin_family = AF_INET;
  broadcast.sin_port = htons(5060);
  broadcast.sin_addr.s_addr = htonl(INADDR_BROADCAST);
  for (int i = 0; i < 2; ++i) {
    errno = 0;
    CHECK(Send(sender, "OPTIONS", reinterpret_cast<sockaddr*>(&broadcast), sizeof broadcast) == -1);
    CHECK(errno == EACCES);
  }
  CHECK(sender.stats().direct == 2);
  CHECK(sender.stats().queued == 0);
}

TEST_CASE("an ICMP error about an earlier datagram does not cost a later one") {
  // With IP_RECVERR (as sofia-sip sets it), a port unreachable for a datagram to a closed port
  // is left on the socket and fails its next send, whatever that send's destination.
  Socket from, receiver;
  int on = 1;
  REQUIRE(setsockopt(from.fd, IPPROTO_IP, IP_RECVERR, &on, sizeof on) == 0);
  sockaddr_in closed = receiver.address;
  closed.sin_port = htons(pbx::testing::FreeLoopbackPort(SOCK_DGRAM));
  REQUIRE(closed.sin_port != 0);
  UdpSender sender(from.fd);
  auto sent = Numbered("after an error ", 50);
  for (const auto& datagram : sent) {
    Send(sender, "to nobody", reinterpret_cast<sockaddr*>(&closed), sizeof closed);
    std::this_thread::sleep_for(2ms);  // for the thread to send it and the ICMP error to come
    Send(sender, datagram, receiver.to(), sizeof receiver.address);
  }
  CHECK(receiver.receive() == sent);
  CHECK(sender.stats().failed == 0);
}

TEST_CASE("datagrams the queue has no room for are dropped and counted") {
  Socket from, receiver;
  UdpSender sender(from.fd, /*maxQueuedBytes=*/100);
  auto sent = Numbered("a datagram of some forty bytes, number ", 200);
  for (const auto& datagram : sent)
    CHECK(Send(sender, datagram, receiver.to(), sizeof receiver.address) ==
          static_cast<ssize_t>(datagram.size()));
  auto received = receiver.receive();
  auto stats = sender.stats();
  CHECK(stats.dropped > 0);
  CHECK(received.size() + stats.dropped == sent.size());
  CHECK(received.front() == sent.front());
}

TEST_CASE("sofia-sip's su_vsend and su_soerror are pbxkit's, and defer to an attached sender") {
  REQUIRE(UdpSender::Active());
  Socket from, receiver;
  int on = 1;
  REQUIRE(setsockopt(from.fd, IPPROTO_IP, IP_RECVERR, &on, sizeof on) == 0);
  sockaddr_in closed = receiver.address;
  closed.sin_port = htons(pbx::testing::FreeLoopbackPort(SOCK_DGRAM));
  auto* closedAddress = reinterpret_cast<su_sockaddr_t*>(&closed);
  std::string text = "INVITE";
  su_iovec_t iov{text.data(), text.size()};

  // No sender: sends as sofia's own, and su_soerror reports the ICMP error it caused.
  CHECK(su_vsend(from.fd, &iov, 1, MSG_NOSIGNAL, closedAddress, sizeof closed) == 6);
  std::this_thread::sleep_for(20ms);
  CHECK(su_soerror(from.fd) == ECONNREFUSED);

  auto sender = std::make_unique<UdpSender>(from.fd);
  auto* receiverAddress = reinterpret_cast<const su_sockaddr_t*>(&receiver.address);
  for (int i = 0; i < 3; ++i)
    CHECK(su_vsend(from.fd, &iov, 1, MSG_NOSIGNAL, receiverAddress, sizeof receiver.address) == 6);
  CHECK(receiver.receive() == std::vector<std::string>(3, "INVITE"));
  CHECK(sender->stats().direct + sender->stats().queued == 3);
  // With a sender, the error is the sender's to clear: no getsockopt() for sofia-sip's sends.
  CHECK(su_vsend(from.fd, &iov, 1, MSG_NOSIGNAL, closedAddress, sizeof closed) == 6);
  std::this_thread::sleep_for(20ms);
  CHECK(su_soerror(from.fd) == 0);
}
