// Stateless replies to SIP requests that arrive over UDP: what a final response to a new INVITE
// needs of the request (RFC 3261 8.2.6.2: its Vias, From, To, Call-ID and CSeq, copied), found
// by one pass over the datagram without building a message, and the response itself.
//
// pbxd challenges every new INVITE that carries no credentials (407), and refuses new calls
// under overload (503). Through sofia-sip each such answer costs a nua handle and an INVITE
// server transaction kept after its ACK; answered statelessly, as Kamailio's sl module answers
// them, it costs a scan and a send. The scan accepts only requests that are well-formed in
// every part the reply relies on, and leaves anything unusual (a folded line, several Vias on
// one line, a Content-Length that does not match the body, ...) to sofia-sip's parser, which
// answers it as before.
//
//   if (auto request = ScanRequest(datagram); request && request->method == "INVITE") {
//     std::string response = StatelessResponse(*request, source, 503, "Service Unavailable",
//                                              "Retry-After: 5\r\n");
//     SocketAddress to = StatelessResponseDestination(*request, source);
//   }
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pbx/base/socket_address.h"

namespace pbx::sip::internal {

// The parts of a request that a stateless reply copies or looks at. Every view points into
// the scanned datagram. Header lines are whole ("To: <sip:100@pbx>"), without their CRLF.
struct ScannedRequest {
  std::string_view method;  // "INVITE" or "ACK"
  std::vector<std::string_view> vias;
  std::string_view from, to, callId, cseq;
  std::string_view toTag;    // empty when the To has no tag
  std::string_view branch;   // the top Via's branch (always "z9hG4bK...")
  std::string_view viaHost;  // the top Via's sent-by host, IPv6 in brackets
  uint16_t viaPort = 0;      // 0 when the sent-by has no port
  bool viaRport = false;     // the top Via asks for rport (RFC 3581)
  bool proxyAuthorization = false;
};

// Scans a datagram. Returns nullopt unless it is an INVITE or an ACK in which every part that
// a stateless reply relies on is well-formed: a plain request line with a sip: URI, unfolded
// header lines of printable characters, one From (with a tag), To, Call-ID (ASCII), CSeq
// (naming the method) and Max-Forwards (above 0), From and To with sip:/sips: URIs, one plain
// Via per line (parameters of tokens, each named once), the top one over UDP with a z9hG4bK
// branch (without received, maddr or comp), and a Content-Length equal to the body's size.
// tests/fuzz/stateless_reply_fuzz checks that sofia-sip reads whatever this accepts alike.
std::optional<ScannedRequest> ScanRequest(std::string_view datagram);

// The To tag of a stateless response: the same for every retransmission of the request, and
// one that sofia-sip never makes ('.' is not in its tag alphabet), so that the ACK answering
// the response is recognised and absorbed.
inline constexpr std::string_view kStatelessTagPrefix = "pbx.";
std::string StatelessTag(const ScannedRequest& request);
bool IsStatelessTag(std::string_view tag);

// The final response to `request`, received from `source`: the request's Vias (the top one
// with received= when its host is not the source address, and rport= filled in when it asked
// for it, RFC 3581), From, To (with StatelessTag added when it had none), Call-ID and CSeq,
// then `extraHeaders` (complete lines, each ending in CRLF) and Content-Length: 0.
std::string StatelessResponse(const ScannedRequest& request, const SocketAddress& source,
                              int status, std::string_view reason, std::string_view extraHeaders);

// Where the response goes over UDP (RFC 3261 18.2.2, RFC 3581): the source address, at the
// source port when the top Via asked for rport, else at the Via's port (5060 when absent).
SocketAddress StatelessResponseDestination(const ScannedRequest& request,
                                           const SocketAddress& source);

}  // namespace pbx::sip::internal
