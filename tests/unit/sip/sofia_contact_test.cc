// The Contact pbxd writes in its dialogs names the dialog's transport and a port (RFC 3261
// 8.1.1.8, 12.1.1), so a phone that called over TCP sends its ACK and BYE over TCP: first
// LocalContact on its own, then a real sofia stack answering INVITEs over TCP and UDP and
// sending them, for every listener shape.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sofia-sip/su_wait.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "lib/sip/sofia/local_contact.h"
#include "lib/sip/sofia/sofia_event_loop.h"
#include "pbx/sip/sofia.h"
#include "tests/unit/free_port.h"

using namespace std::chrono_literals;
using pbx::SocketAddress;
using pbx::sip::Transport;
using pbx::sip::internal::Listeners;
using pbx::sip::internal::LocalContact;
using pbx::sip::internal::ParseListeners;

namespace {

SocketAddress Address(const char* ip, uint16_t port) { return *SocketAddress::Parse(ip, port); }

Listeners Listening(const std::vector<std::string>& listen) { return *ParseListeners(listen); }

}  // namespace

TEST_CASE("LocalContact names the dialog's transport and the port, 5060 included") {
  const SocketAddress phone = Address("127.0.0.1", 40000);
  LocalContact both(Listening({"udp:127.0.0.1:5060", "tcp:127.0.0.1:5060"}));
  CHECK(both.header(Transport::kTcp, phone) == "<sip:127.0.0.1:5060;transport=tcp>");
  CHECK(both.header(Transport::kUdp, phone) == "<sip:127.0.0.1:5060;transport=udp>");

  // A dialog on a transport pbxd does not listen on gets the one it does.
  LocalContact udpOnly(Listening({"udp:127.0.0.1:5070"}));
  CHECK(udpOnly.header(Transport::kUdp, phone) == "<sip:127.0.0.1:5070;transport=udp>");
  CHECK(udpOnly.header(Transport::kTcp, phone) == "<sip:127.0.0.1:5070;transport=udp>");
  LocalContact tcpOnly(Listening({"tcp:127.0.0.1:5080"}));
  CHECK(tcpOnly.header(Transport::kTcp, phone) == "<sip:127.0.0.1:5080;transport=tcp>");
  CHECK(tcpOnly.header(Transport::kUdp, phone) == "<sip:127.0.0.1:5080;transport=tcp>");

  LocalContact v6(Listening({"udp:[::1]:5060", "tcp:[::1]:5060"}));
  CHECK(v6.header(Transport::kTcp, Address("::1", 40000)) == "<sip:[::1]:5060;transport=tcp>");

  // A wildcard address is no place to send to: the local address toward the peer is.
  LocalContact wildcard(Listening({"udp:0.0.0.0:5090", "tcp:0.0.0.0:5090"}));
  CHECK(wildcard.header(Transport::kTcp, phone) == "<sip:127.0.0.1:5090;transport=tcp>");
  CHECK(wildcard.header(Transport::kTcp, SocketAddress()).empty());  // nua writes its own
}

TEST_CASE("listen entries parse into one address and the transports on it") {
  auto both = ParseListeners({"udp:127.0.0.1:5060", "tcp:127.0.0.1:5060"});
  REQUIRE(both.ok());
  CHECK(both->udp);
  CHECK(both->tcp);
  CHECK(both->bindUri() == "sip:127.0.0.1:5060");
  CHECK(Listening({"tcp:[::1]:5062"}).bindUri() == "sip:[::1]:5062;transport=tcp");
  CHECK_FALSE(ParseListeners({"udp:127.0.0.1:5060", "tcp:127.0.0.1:5061"}).ok());
  CHECK_FALSE(ParseListeners({}).ok());
}

TEST_CASE("an outbound dialog runs where the phone registered from, else where its URI says") {
  using pbx::sip::internal::TargetOf;
  pbx::sip::OutboundInvite invite;
  invite.requestUri = {"100", "127.0.0.1", 5062, ";transport=TCP"};
  CHECK(TargetOf(invite).transport == Transport::kTcp);
  CHECK(TargetOf(invite).peer == Address("127.0.0.1", 5062));
  invite.nextHop = pbx::sip::RequestSource{Address("127.0.0.1", 41000), Transport::kUdp};
  CHECK(TargetOf(invite).transport == Transport::kUdp);
  CHECK(TargetOf(invite).peer == Address("127.0.0.1", 41000));
  invite.nextHop.reset();
  invite.requestUri = {"100", "phone.example", 0, ""};
  CHECK(TargetOf(invite).transport == Transport::kUdp);
  CHECK(TargetOf(invite).peer.empty());
}

// ---- a real stack ---------------------------------------------------------------------------

namespace {

constexpr const char* kSdp =
    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 4000 RTP/AVP 0\r\n";

// Answers every INVITE with 180 and then 200.
class AnsweringHandler final : public pbx::sip::SignalingHandler, public pbx::sip::DialogHandler {
 public:
  void onRegister(const pbx::sip::RegisterRequest&, pbx::sip::RegisterResponder respond) override {
    respond({403, "Forbidden"});
  }
  void onInvite(pbx::sip::Dialog& dialog, const pbx::sip::InviteRequest&) override {
    dialog.setHandler(this);
    dialog.sendProvisional(180, "Ringing");
    dialog.accept(kSdp);
  }
  void onAnswered(const std::string&) override {}
  void onFailed(int, const std::string&) override {}
  void onCancelled() override {}
  void onTerminated(pbx::sip::TerminationReason) override {}
  void onOffer(const std::string&, pbx::sip::OfferResponder respond) override { respond(488, ""); }
};

// The host part of a URI: an IPv6 address in brackets.
std::string UriHost(const char* ip) {
  return std::string(ip).find(':') != std::string::npos ? "[" + std::string(ip) + "]" : ip;
}

// A sofia stack on a loopback address and a free port; the test turns its loop.
struct Stack {
  Stack(const char* ip, std::vector<const char*> transports) {
    auto created = pbx::sip::internal::SofiaEventLoop::Create();
    REQUIRE(created.ok());
    loop = std::move(*created);
    port = pbx::testing::FreeLoopbackPort(SOCK_STREAM);
    pbx::sip::SofiaStackOptions options;
    std::string host = UriHost(ip);
    options.listen.clear();
    for (const char* transport : transports)
      options.listen.push_back(std::string(transport) + ":" + host + ":" + std::to_string(port));
    auto made = pbx::sip::CreateSofiaStack(*loop, options);
    REQUIRE_MESSAGE(made.ok(), made.status().message());
    stack = std::move(*made);
    stack->setHandler(&handler);
  }
  ~Stack() { stack.reset(); }  // the stack goes before its loop

  // Turns the loop until `done` or two seconds have passed.
  bool pumpUntil(const std::function<bool()>& done) {
    auto deadline = std::chrono::steady_clock::now() + 2s;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      su_root_step(loop->root(), 10);
    }
    return true;
  }

  std::unique_ptr<pbx::sip::internal::SofiaEventLoop> loop;
  uint16_t port = 0;
  AnsweringHandler handler;
  pbx::sip::SignalingStackPtr stack;
};

// A phone's socket: a TCP connection to the stack, a UDP socket, or a TCP listener.
struct PeerSocket {
  PeerSocket(const char* ip, int type) : v6(std::string(ip).find(':') != std::string::npos) {
    fd = socket(v6 ? AF_INET6 : AF_INET, type | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    address = {};
    if (v6) {
      auto* in6 = reinterpret_cast<sockaddr_in6*>(&address);
      in6->sin6_family = AF_INET6;
      inet_pton(AF_INET6, ip, &in6->sin6_addr);
    } else {
      auto* in = reinterpret_cast<sockaddr_in*>(&address);
      in->sin_family = AF_INET;
      inet_pton(AF_INET, ip, &in->sin_addr);
    }
    REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&address), length()) == 0);
    socklen_t len = length();
    REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&address), &len) == 0);
  }
  ~PeerSocket() {
    if (connection >= 0) close(connection);
    close(fd);
  }
  socklen_t length() const { return v6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in); }
  uint16_t port() const {
    return ntohs(v6 ? reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port
                    : reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
  }
  sockaddr_storage to(uint16_t toPort) const {
    sockaddr_storage out = address;
    if (v6)
      reinterpret_cast<sockaddr_in6*>(&out)->sin6_port = htons(toPort);
    else
      reinterpret_cast<sockaddr_in*>(&out)->sin_port = htons(toPort);
    return out;
  }
  void connectTo(uint16_t toPort) {
    sockaddr_storage peer = to(toPort);
    REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&peer), length()) == 0);
    connection = dup(fd);
  }
  void sendTo(uint16_t toPort, const std::string& datagram) {
    sockaddr_storage peer = to(toPort);
    REQUIRE(sendto(fd, datagram.data(), datagram.size(), 0, reinterpret_cast<sockaddr*>(&peer),
                   length()) == static_cast<ssize_t>(datagram.size()));
  }
  void listenForStack() { REQUIRE(listen(fd, 4) == 0); }
  // Whatever has arrived (accepting the stack's connection first when listening), appended
  // to `received`, without blocking.
  void poll() {
    if (connection < 0) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 0) != 1) return;
      int type = 0;
      socklen_t len = sizeof type;
      getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len);
      connection = type == SOCK_STREAM ? accept4(fd, nullptr, nullptr, SOCK_CLOEXEC) : dup(fd);
      if (connection < 0) return;
    }
    char buffer[4096];
    ssize_t n;
    while ((n = recv(connection, buffer, sizeof buffer, MSG_DONTWAIT)) > 0)
      received.append(buffer, static_cast<size_t>(n));
  }

  bool v6;
  int fd = -1;
  int connection = -1;
  sockaddr_storage address{};
  std::string received;
};

std::string Invite(const PeerSocket& phone, const char* transport, const std::string& host) {
  std::string port = std::to_string(phone.port());
  return std::string("INVITE sip:101@") + host + " SIP/2.0\r\n" + "Via: SIP/2.0/" + transport +
         " " + host + ":" + port + ";branch=z9hG4bK-contact-" + transport + ";rport\r\n" +
         "Max-Forwards: 70\r\n"
         "From: <sip:100@" +
         host + ">;tag=a1\r\nTo: <sip:101@" + host +
         ">\r\n"
         "Call-ID: contact-" +
         transport + "-" + port + "\r\nCSeq: 1 INVITE\r\nContact: <sip:100@" + host + ":" + port +
         ";transport=" + transport + ">\r\nContent-Type: application/sdp\r\nContent-Length: " +
         std::to_string(std::string(kSdp).size()) + "\r\n\r\n" + kSdp;
}

// The value of header `name` ("To:") in a message's header block.
std::string HeaderValue(const std::string& message, const std::string& name) {
  size_t at = message.find("\r\n" + name);
  if (at == std::string::npos) return {};
  size_t value = message.find_first_not_of(' ', at + 2 + name.size());
  return message.substr(value, message.find("\r\n", value) - value);
}

// The header block of the first message in `stream` whose first line starts with `start`.
std::string MessageStartingWith(const std::string& stream, const std::string& start) {
  size_t at = stream.find(start);
  if (at == std::string::npos || (at != 0 && stream.compare(at - 2, 2, "\r\n") != 0)) return {};
  size_t end = stream.find("\r\n\r\n", at);
  return end == std::string::npos ? std::string() : stream.substr(at, end + 2 - at);
}

// The values of every Contact (or m:) header of a message, one a line.
std::string Contacts(const std::string& message) {
  std::string out;
  size_t at = 0;
  while ((at = message.find("\r\n", at)) != std::string::npos) {
    at += 2;
    for (const char* name : {"Contact:", "m:"}) {
      if (message.compare(at, strlen(name), name) == 0) {
        size_t value = message.find_first_not_of(' ', at + strlen(name));
        out.append(message.substr(value, message.find("\r\n", value) - value)).append("\n");
      }
    }
  }
  return out;
}

bool HasIpv6Loopback() {
  int fd = socket(AF_INET6, SOCK_DGRAM, 0);
  if (fd < 0) return false;
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_addr = in6addr_loopback;
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  close(fd);
  return ok;
}

// A phone sends an INVITE over `transport`; the stack's 180 and 200 must name that transport
// and the stack's port in their one Contact.
void CheckAnsweredContact(const char* ip, std::vector<const char*> listen, const char* transport) {
  CAPTURE(ip);
  CAPTURE(transport);
  Stack pbx(ip, listen);
  const bool tcp = std::string(transport) == "TCP";
  PeerSocket phone(ip, tcp ? SOCK_STREAM : SOCK_DGRAM);
  std::string host = UriHost(ip);
  std::string invite = Invite(phone, transport, host);
  if (tcp) {
    phone.connectTo(pbx.port);
    REQUIRE(send(phone.connection, invite.data(), invite.size(), 0) ==
            static_cast<ssize_t>(invite.size()));
  } else {
    phone.sendTo(pbx.port, invite);
  }
  REQUIRE(pbx.pumpUntil([&] {
    phone.poll();
    return !MessageStartingWith(phone.received, "SIP/2.0 200").empty();
  }));
  std::string expected = "<sip:" + host + ":" + std::to_string(pbx.port) +
                         ";transport=" + (tcp ? "tcp" : "udp") + ">\n";
  for (const char* status : {"SIP/2.0 180", "SIP/2.0 200"}) {
    std::string response = MessageStartingWith(phone.received, status);
    INFO(response);
    CHECK(Contacts(response) == expected);
  }

  // ACK and BYE, so that the call is over when the stack goes.
  std::string ok = MessageStartingWith(phone.received, "SIP/2.0 200");
  for (const char* method : {"ACK", "BYE"}) {
    std::string request =
        std::string(method) + " sip:101@" + host + " SIP/2.0\r\nVia: SIP/2.0/" + transport + " " +
        host + ":" + std::to_string(phone.port()) + ";branch=z9hG4bK-" + method +
        ";rport\r\nMax-Forwards: 70\r\nFrom: " + HeaderValue(ok, "From:") +
        "\r\nTo: " + HeaderValue(ok, "To:") + "\r\nCall-ID: " + HeaderValue(ok, "Call-ID:") +
        "\r\nCSeq: " + (method == std::string("ACK") ? "1 " : "2 ") + method +
        "\r\nContent-Length: 0\r\n\r\n";
    if (tcp)
      REQUIRE(send(phone.connection, request.data(), request.size(), 0) ==
              static_cast<ssize_t>(request.size()));
    else
      phone.sendTo(pbx.port, request);
  }
  CHECK(pbx.pumpUntil([&] {
    phone.poll();
    return phone.received.find("CSeq: 2 BYE") != std::string::npos;
  }));
}

// The stack sends an INVITE to a phone that registered over `transport`: it must go over that
// transport and name it in its one Contact.
void CheckSentContact(const char* ip, std::vector<const char*> listen, Transport transport) {
  CAPTURE(ip);
  CAPTURE(pbx::sip::TransportName(transport));
  AnsweringHandler callee;  // outlives the stack, which holds its dialog
  Stack pbx(ip, listen);
  const bool tcp = transport == Transport::kTcp;
  PeerSocket phone(ip, tcp ? SOCK_STREAM : SOCK_DGRAM);
  if (tcp) phone.listenForStack();
  pbx::sip::OutboundInvite invite;
  invite.requestUri = {"100", ip, phone.port(), tcp ? ";transport=tcp" : ""};
  invite.nextHop = pbx::sip::RequestSource{Address(ip, phone.port()), transport};
  invite.from.uri = {"101", ip, 0, ""};
  invite.to.uri = {"100", ip, 0, ""};
  invite.sdp = kSdp;
  REQUIRE(pbx.stack->invite(invite, callee).ok());
  REQUIRE(pbx.pumpUntil([&] {
    phone.poll();
    return !MessageStartingWith(phone.received, "INVITE ").empty();
  }));
  std::string request = MessageStartingWith(phone.received, "INVITE ");
  INFO(request);
  std::string host = UriHost(ip);
  CHECK(request.find(tcp ? "Via: SIP/2.0/TCP" : "Via: SIP/2.0/UDP") != std::string::npos);
  CHECK(Contacts(request) == "<sip:" + host + ":" + std::to_string(pbx.port) +
                                 ";transport=" + (tcp ? "tcp" : "udp") + ">\n");
}

}  // namespace

TEST_CASE("answering an INVITE, the Contact names the transport it came over and the port") {
  SUBCASE("UDP and TCP on one port") {
    CheckAnsweredContact("127.0.0.1", {"udp", "tcp"}, "TCP");
    CheckAnsweredContact("127.0.0.1", {"udp", "tcp"}, "UDP");
  }
  SUBCASE("TCP only") { CheckAnsweredContact("127.0.0.1", {"tcp"}, "TCP"); }
  SUBCASE("UDP only") { CheckAnsweredContact("127.0.0.1", {"udp"}, "UDP"); }
  SUBCASE("IPv6") {
    if (!HasIpv6Loopback()) {
      MESSAGE("no IPv6 loopback on this host: the IPv6 case did not run");
      return;
    }
    CheckAnsweredContact("::1", {"udp", "tcp"}, "TCP");
    CheckAnsweredContact("::1", {"udp", "tcp"}, "UDP");
  }
}

TEST_CASE(
    "calling a phone, the INVITE goes over the transport it registered with, named in the "
    "Contact") {
  SUBCASE("UDP and TCP on one port") {
    CheckSentContact("127.0.0.1", {"udp", "tcp"}, Transport::kTcp);
    CheckSentContact("127.0.0.1", {"udp", "tcp"}, Transport::kUdp);
  }
  SUBCASE("TCP only") { CheckSentContact("127.0.0.1", {"tcp"}, Transport::kTcp); }
  SUBCASE("UDP only") { CheckSentContact("127.0.0.1", {"udp"}, Transport::kUdp); }
  SUBCASE("IPv6") {
    if (!HasIpv6Loopback()) {
      MESSAGE("no IPv6 loopback on this host: the IPv6 case did not run");
      return;
    }
    CheckSentContact("::1", {"udp", "tcp"}, Transport::kTcp);
    CheckSentContact("::1", {"udp", "tcp"}, Transport::kUdp);
  }
}
