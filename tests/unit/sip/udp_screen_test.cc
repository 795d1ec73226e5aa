#include <doctest/doctest.h>

#include <netinet/in.h>
#include <sofia-sip/su.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "lib/sip/sofia/udp_screen.h"
#include "tests/unit/sip/loopback_udp.h"

using namespace std::chrono_literals;
using pbx::sip::Rejection;
using pbx::sip::RequestSource;
using pbx::sip::internal::UdpScreen;
using pbx::testing::LoopbackUdp;

namespace {

std::string Request(const std::string& method, const LoopbackUdp& phone, const std::string& more) {
  std::string port = std::to_string(ntohs(phone.address.sin_port));
  return method + " sip:101@127.0.0.1 SIP/2.0\r\n" + "Via: SIP/2.0/UDP 127.0.0.1:" + port +
         ";branch=z9hG4bK-" + method + ";rport\r\n" +
         "Max-Forwards: 70\r\n"
         "From: <sip:100@127.0.0.1>;tag=a1\r\n"
         "To: <sip:101@127.0.0.1>\r\n"
         "Call-ID: screen-" +
         method + "@127.0.0.1\r\n" + "CSeq: 1 " + method + "\r\n" + more +
         "Content-Length: 0\r\n\r\n";
}

// A screen that refuses every new INVITE with 503, as under overload.
UdpScreen Refusing(int fd, int* asked) {
  return UdpScreen(
      fd,
      [asked](const RequestSource&) -> std::optional<Rejection> {
        ++*asked;
        return Rejection{503, "Service Unavailable", std::nullopt, 5};
      },
      "User-Agent: test\r\n");
}

// What sofia's UDP transport does for each readable wakeup: the size, then the datagram.
struct SofiaRead {
  ssize_t size = 0;
  ssize_t received = 0;
  int error = 0;
  std::string datagram;
  sockaddr_in from{};
};

SofiaRead ReadAsSofia(int fd) {
  SofiaRead r;
  r.size = su_getmsgsize(fd);
  if (r.size <= 0) return r;
  std::vector<char> buffer(static_cast<size_t>(r.size));
  su_iovec_t iov{buffer.data(), buffer.size()};
  su_sockaddr_t from{};
  socklen_t fromLength = sizeof from;
  errno = 0;
  r.received = su_vrecv(fd, &iov, 1, 0, &from, &fromLength);
  r.error = errno;
  if (r.received > 0) r.datagram.assign(buffer.data(), static_cast<size_t>(r.received));
  std::memcpy(&r.from, &from, sizeof r.from);
  return r;
}

}  // namespace

TEST_CASE("su_getmsgsize reads past what the screen answers to the datagram sofia is to get") {
  REQUIRE(UdpScreen::Active());
  LoopbackUdp pbx, phone;
  int asked = 0;
  UdpScreen screen = Refusing(pbx.fd, &asked);
  std::string options = Request("OPTIONS", phone, "");
  phone.sendTo(pbx, Request("INVITE", phone, ""));
  phone.sendTo(pbx, "");  // an empty datagram, which sofia would drop
  phone.sendTo(pbx, options);
  REQUIRE(pbx.readable(1000ms));

  SofiaRead read = ReadAsSofia(pbx.fd);
  CHECK(read.size == static_cast<ssize_t>(options.size()));
  CHECK(read.datagram == options);
  CHECK(read.from.sin_port == phone.address.sin_port);
  CHECK(asked == 1);
  CHECK(screen.answered() == 1);
  auto answers = phone.receive(300ms);
  REQUIRE(answers.size() == 1);
  CHECK(answers[0].rfind("SIP/2.0 503 Service Unavailable\r\n", 0) == 0);
  CHECK(answers[0].find("\r\nRetry-After: 5\r\n") != std::string::npos);

  // Nothing left: a size of 1, and the read that follows finds nothing.
  SofiaRead none = ReadAsSofia(pbx.fd);
  CHECK(none.size == 1);
  CHECK(none.received == -1);
  CHECK(none.error == EAGAIN);
}

TEST_CASE("what su_getmsgsize keeps waits for su_vrecv, and su_vrecv alone still reads") {
  LoopbackUdp pbx, phone;
  int asked = 0;
  UdpScreen screen = Refusing(pbx.fd, &asked);
  std::string first = Request("OPTIONS", phone, "");
  std::string second = Request("BYE", phone, "");
  phone.sendTo(pbx, first);
  phone.sendTo(pbx, second);
  REQUIRE(pbx.readable(1000ms));
  // Asked twice (sofia failed to allocate its buffer the first time): the same datagram.
  CHECK(su_getmsgsize(pbx.fd) == static_cast<ssize_t>(first.size()));
  CHECK(ReadAsSofia(pbx.fd).datagram == first);
  // Without su_getmsgsize first, su_vrecv reads the socket as sofia's own does.
  char buffer[2048];
  su_iovec_t iov{buffer, sizeof buffer};
  su_sockaddr_t from{};
  socklen_t fromLength = sizeof from;
  ssize_t n = su_vrecv(pbx.fd, &iov, 1, 0, &from, &fromLength);
  CHECK(std::string(buffer, n > 0 ? static_cast<size_t>(n) : 0) == second);
  CHECK(asked == 0);
}

TEST_CASE("a socket without a screen gets sofia's own answers") {
  LoopbackUdp pbx, phone;
  std::string datagram = "INVITE without a screen";
  phone.sendTo(pbx, datagram);
  REQUIRE(pbx.readable(1000ms));
  SofiaRead read = ReadAsSofia(pbx.fd);
  CHECK(read.size == static_cast<ssize_t>(datagram.size()));  // FIONREAD
  CHECK(read.datagram == datagram);
}
