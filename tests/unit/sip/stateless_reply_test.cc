#include "lib/sip/common/stateless_reply.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

using pbx::SocketAddress;
using namespace pbx::sip::internal;

namespace {

constexpr std::string_view kSdp =
    "v=0\r\no=- 1 1 IN IP4 10.0.0.5\r\ns=-\r\nc=IN IP4 10.0.0.5\r\nt=0 0\r\n"
    "m=audio 4000 RTP/AVP 0\r\n";

// An INVITE as a phone sends it; `headers` replaces the default header block's middle part.
std::string Invite(std::string_view top = "Via: SIP/2.0/UDP 10.0.0.5:5062;branch=z9hG4bK776;rport",
                   std::string_view more = "", std::string_view body = kSdp,
                   std::string_view requestLine = "INVITE sip:101@pbx.example SIP/2.0") {
  std::string s(requestLine);
  s += "\r\n";
  s.append(top).append("\r\n");
  s += "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKlower\r\n"
       "Max-Forwards: 70\r\n"
       "From: \"Alice; the \\\"first\\\"\" <sip:100@pbx.example>;tag=9fxced76sl\r\n"
       "To: Bob <sip:101@pbx.example>\r\n"
       "Call-ID: 3848276298220188511@10.0.0.5\r\n"
       "CSeq: 1 INVITE\r\n"
       "Contact: <sip:100@10.0.0.5:5062>\r\n"
       "Content-Type: application/sdp\r\n";
  s.append(more);
  s += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  s.append(body);
  return s;
}

std::string Replace(std::string s, std::string_view from, std::string_view to) {
  size_t at = s.find(from);
  REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}

SocketAddress Source(const char* ip = "203.0.113.7", uint16_t port = 40000) {
  return *SocketAddress::Parse(ip, port);
}

}  // namespace

TEST_CASE("ScanRequest: a phone's INVITE") {
  std::string datagram = Invite();
  auto r = ScanRequest(datagram);
  REQUIRE(r);
  CHECK(r->method == "INVITE");
  REQUIRE(r->vias.size() == 2);
  CHECK(r->vias[0] == "Via: SIP/2.0/UDP 10.0.0.5:5062;branch=z9hG4bK776;rport");
  CHECK(r->branch == "z9hG4bK776");
  CHECK(r->viaHost == "10.0.0.5");
  CHECK(r->viaPort == 5062);
  CHECK(r->viaRport);
  CHECK(r->to == "To: Bob <sip:101@pbx.example>");
  CHECK(r->toTag.empty());
  CHECK(r->callId == "Call-ID: 3848276298220188511@10.0.0.5");
  CHECK(r->cseq == "CSeq: 1 INVITE");
  CHECK_FALSE(r->proxyAuthorization);

  auto withCredentials = ScanRequest(
      Invite("Via: SIP/2.0/UDP 10.0.0.5:5062;branch=z9hG4bK777",
             "Proxy-Authorization: Digest username=\"100\", realm=\"pbx\", nonce=\"1\", "
             "uri=\"sip:101@pbx.example\", response=\"00\"\r\n"));
  REQUIRE(withCredentials);
  CHECK(withCredentials->proxyAuthorization);
  CHECK_FALSE(withCredentials->viaRport);

  // Compact header names, an IPv6 sent-by, no body.
  std::string compact =
      "INVITE sip:101@pbx.example SIP/2.0\r\n"
      "v: SIP/2.0/UDP [2001:db8::5]:5070;branch=z9hG4bKv6\r\n"
      "Max-Forwards: 70\r\nf: <sip:100@pbx.example>;tag=a\r\nt: <sip:101@pbx.example>\r\n"
      "i: abc\r\nCSeq: 7 INVITE\r\nl: 0\r\n\r\n";
  auto c = ScanRequest(compact);
  REQUIRE(c);
  CHECK(c->viaHost == "[2001:db8::5]");
  CHECK(c->viaPort == 5070);
}

TEST_CASE("ScanRequest: the ACK for a stateless response") {
  std::string ack =
      "ACK sip:101@pbx.example SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 10.0.0.5:5062;branch=z9hG4bK776;rport\r\n"
      "Max-Forwards: 70\r\nFrom: <sip:100@pbx.example>;tag=9fx\r\n"
      "To: <sip:101@pbx.example>;tag=pbx.0123456789abcdef\r\n"
      "Call-ID: abc\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n";
  auto r = ScanRequest(ack);
  REQUIRE(r);
  CHECK(r->method == "ACK");
  CHECK(r->toTag == "pbx.0123456789abcdef");
  CHECK(IsStatelessTag(r->toTag));
  // sofia-sip's own tags (letters and digits) never look like ours.
  CHECK_FALSE(IsStatelessTag("aBcD0123eFgH"));
  CHECK_FALSE(IsStatelessTag("pbx."));
}

TEST_CASE("ScanRequest leaves anything unusual to sofia-sip") {
  const std::string good = Invite();
  REQUIRE(ScanRequest(good));
  const std::string via = "Via: SIP/2.0/UDP 10.0.0.5:5062;branch=z9hG4bK776;rport";
  std::vector<std::pair<const char*, std::string>> cases = {
      {"OPTIONS", Replace(Replace(good, "INVITE sip", "OPTIONS sip"), "1 INVITE", "1 OPTIONS")},
      {"two spaces in the request line", Replace(good, "INVITE sip", "INVITE  sip")},
      {"a tel: Request-URI", Replace(good, "INVITE sip:101@pbx.example", "INVITE tel:101")},
      {"another SIP version", Replace(good, " SIP/2.0\r\n", " SIP/7.0\r\n")},
      {"a folded header", Replace(good, "To: Bob", "To:\r\n Bob")},
      {"a bare LF", Replace(good, "Max-Forwards: 70\r\n", "Max-Forwards: 70\n")},
      {"a NUL", Replace(good, "Bob", std::string("B\0b", 3))},
      {"two From", Replace(good, "To: Bob", "From: <sip:x@y>;tag=2\r\nTo: Bob")},
      {"a From without a tag", Replace(good, ";tag=9fxced76sl", "")},
      {"no Max-Forwards", Replace(good, "Max-Forwards: 70\r\n", "")},
      {"Max-Forwards 0", Replace(good, "Max-Forwards: 70", "Max-Forwards: 0")},
      {"an overlarge Max-Forwards", Replace(good, "Max-Forwards: 70", "Max-Forwards: 300")},
      {"a CSeq of another method", Replace(good, "CSeq: 1 INVITE", "CSeq: 1 ACK")},
      {"an overlarge CSeq", Replace(good, "CSeq: 1 ", "CSeq: 36893488147419103232 ")},
      {"a body longer than Content-Length", good + "x"},
      {"a body shorter than Content-Length", good.substr(0, good.size() - 1)},
      {"two Content-Length", Replace(good, "Content-Type", "Content-Length: 0\r\nContent-Type")},
      {"no Content-Length",
       Replace(good, "Content-Length: " + std::to_string(kSdp.size()) + "\r\n", "")},
      {"a negative Content-Length", Replace(good, "Content-Length: ", "Content-Length: -")},
      {"two Vias on one line", Replace(good, ";rport", ";rport, SIP/2.0/UDP 10.0.0.9")},
      {"a top Via over TCP", Replace(good, "SIP/2.0/UDP 10.0.0.5", "SIP/2.0/TCP 10.0.0.5")},
      {"a top Via with received", Replace(good, ";rport", ";received=10.0.0.6")},
      {"a top Via with maddr", Replace(good, ";rport", ";maddr=239.0.0.1")},
      {"an RFC 2543 branch", Replace(good, "z9hG4bK776", "776")},
      {"a valued rport", Replace(good, ";rport", ";rport=5")},
      {"no end of headers", good.substr(0, good.find("\r\n\r\n"))},
      {"an unterminated display name", Replace(good, "<sip:100", "\"<sip:100")},
      {"a header without a colon", Replace(good, "Contact: ", "Contact ")},
      // What stateless_reply_fuzz found sofia-sip to read otherwise (tests/fuzz).
      {"a lower Via that is not one",
       Replace(good, "SIP/2.0/UDP 192.0.2.1", "SIP/2.0.0.1 SIP/2..1")},
      {"a byte above ASCII in a lower Via", Replace(good, "192.0.2.1;", "192.0.2.1\xbc;")},
      {"a repeated branch", Replace(good, ";rport", ";rport;branch=z9hG4bK2")},
      {"a NUL in the Request-URI",
       Replace(good, "sip:101@pbx.example SIP", std::string("sip:101@pbx\0.example SIP", 24))},
      {"a broken escape in the Request-URI",
       Replace(good, "sip:101@pbx.example SIP", "sip:101@pbx.example?x=%zz SIP")},
      {"a comma in the Request-URI's host",
       Replace(good, "sip:101@pbx.example SIP", "sip:101@pbx.example,x SIP")},
      {"two @ in a URI", Replace(good, "<sip:101@pbx.example>", "<sip:101@x@pbx.example>")},
      {"a ? in a From without <>",
       Replace(good, "\"Alice; the \\\"first\\\"\" <sip:100@pbx.example>",
               "sip:100@pbx.example?x=1")},
      {"a From of another scheme", Replace(good, "<sip:100@pbx.example>", "<tel:+100>")},
      {"a To parameter above ASCII",
       Replace(good, "To: Bob <sip:101@pbx.example>", "To: Bob <sip:101@pbx.example>;x=\x99")},
      {"a Call-ID above ASCII", Replace(good, "Call-ID: 38",
                                        "Call-ID: \xe2\x82\xac"
                                        "38")},
  };
  for (const auto& [what, datagram] : cases) {
    INFO(std::string(what));
    CHECK_FALSE(ScanRequest(datagram));
  }
}

TEST_CASE("StatelessResponse copies the request's headers and tags the To") {
  std::string datagram = Invite();
  auto r = ScanRequest(datagram);
  REQUIRE(r);
  std::string response = StatelessResponse(*r, Source(), 407, "Proxy Authentication Required",
                                           "Proxy-Authenticate: Digest realm=\"pbx\"\r\n");
  std::string tag = StatelessTag(*r);
  CHECK(IsStatelessTag(tag));
  CHECK(response ==
        "SIP/2.0 407 Proxy Authentication Required\r\n"
        "Via: SIP/2.0/UDP 10.0.0.5:5062;branch=z9hG4bK776;rport=40000;received=203.0.113.7\r\n"
        "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKlower\r\n"
        "From: \"Alice; the \\\"first\\\"\" <sip:100@pbx.example>;tag=9fxced76sl\r\n"
        "To: Bob <sip:101@pbx.example>;tag=" +
            tag +
            "\r\n"
            "Call-ID: 3848276298220188511@10.0.0.5\r\n"
            "CSeq: 1 INVITE\r\n"
            "Proxy-Authenticate: Digest realm=\"pbx\"\r\n"
            "Content-Length: 0\r\n\r\n");

  // A retransmission gets the same tag; another transaction another one.
  std::string again = Invite();
  CHECK(StatelessTag(*ScanRequest(again)) == tag);
  std::string other = Replace(Invite(), "z9hG4bK776", "z9hG4bK778");
  CHECK(StatelessTag(*ScanRequest(other)) != tag);

  // No received= when the Via names the source; an existing To tag is kept.
  std::string tagged = Replace(Invite("Via: SIP/2.0/UDP 203.0.113.7:5062;branch=z9hG4bK9"),
                               "To: Bob <sip:101@pbx.example>", "To: <sip:101@pbx.example>;tag=x");
  auto t = ScanRequest(tagged);
  REQUIRE(t);
  std::string plain = StatelessResponse(*t, Source(), 503, "Service Unavailable", "");
  CHECK(plain.find("Via: SIP/2.0/UDP 203.0.113.7:5062;branch=z9hG4bK9\r\n") != std::string::npos);
  CHECK(plain.find("To: <sip:101@pbx.example>;tag=x\r\n") != std::string::npos);
  CHECK(plain.find(";tag=pbx.") == std::string::npos);
}

TEST_CASE("StatelessResponseDestination: rport, the Via's port, or 5060") {
  std::string rport = Invite();
  CHECK(StatelessResponseDestination(*ScanRequest(rport), Source()) == Source());
  std::string viaPort = Invite("Via: SIP/2.0/UDP 10.0.0.5:5062;branch=z9hG4bK1");
  CHECK(StatelessResponseDestination(*ScanRequest(viaPort), Source()) == Source().withPort(5062));
  std::string noPort = Invite("Via: SIP/2.0/UDP phone.example;branch=z9hG4bK1");
  CHECK(StatelessResponseDestination(*ScanRequest(noPort), Source()) == Source().withPort(5060));
}

// RFC 4475's invalid requests must reach sofia-sip's parser, which answers them 400/505, not a
// stateless 407.
TEST_CASE("ScanRequest passes RFC 4475's invalid messages on") {
  const char* overrideDir = std::getenv("PBX_TESTDATA");
  std::filesystem::path dir =
      std::filesystem::path(overrideDir != nullptr ? overrideDir : PBX_TESTDATA) / "sip-torture" /
      "rfc4475";
  if (!std::filesystem::is_directory(dir)) {
    MESSAGE("SKIPPED: no RFC 4475 messages at " << dir.string());
    return;
  }
  for (const char* name :
       {"badinv01.dat", "clerr.dat", "ncl.dat", "scalar02.dat", "lwsruri.dat", "badvers.dat",
        "mismatch01.dat", "mismatch02.dat", "insuf.dat", "multi01.dat", "mcl01.dat", "lwsstart.dat",
        "trws.dat", "ltgtruri.dat", "quotbal.dat", "badaspec.dat", "zeromf.dat"}) {
    std::ifstream in(dir / name, std::ios::binary);
    REQUIRE_MESSAGE(in, name);
    std::stringstream content;
    content << in.rdbuf();
    INFO(name);
    CHECK_FALSE(ScanRequest(content.str()));
  }
}
