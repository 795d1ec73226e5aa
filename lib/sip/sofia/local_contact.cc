#include "lib/sip/sofia/local_contact.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/sip/sofia/sofia_stack.h"
#include "pbx/base/status.h"

namespace pbx::sip::internal {
namespace {

bool IsWildcard(const SocketAddress& address) {
  return address.ip() == "0.0.0.0" || address.ip() == "::";
}

// The source address the kernel picks for packets to `peer`: a UDP socket's connect() only
// looks up the route, it sends nothing.
std::optional<std::string> LocalAddressToward(const SocketAddress& peer) {
  sockaddr_storage to{};
  socklen_t length = 0;
  if (peer.isV6()) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&to);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(peer.port() ? peer.port() : 9);
    if (inet_pton(AF_INET6, peer.ip().c_str(), &in6->sin6_addr) != 1) return std::nullopt;
    length = sizeof *in6;
  } else {
    auto* in = reinterpret_cast<sockaddr_in*>(&to);
    in->sin_family = AF_INET;
    in->sin_port = htons(peer.port() ? peer.port() : 9);
    if (inet_pton(AF_INET, peer.ip().c_str(), &in->sin_addr) != 1) return std::nullopt;
    length = sizeof *in;
  }
  int fd = socket(to.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  sockaddr_storage local{};
  socklen_t localLength = sizeof local;
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&to), length) == 0 &&
            getsockname(fd, reinterpret_cast<sockaddr*>(&local), &localLength) == 0;
  close(fd);
  if (!ok) return std::nullopt;
  auto address = SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&local), localLength);
  if (!address) return std::nullopt;
  return address->ip();
}

}  // namespace

std::string Listeners::bindUri() const {
  if (udp && tcp) return absl::StrCat("sip:", address.str());
  return absl::StrCat("sip:", address.str(), ";transport=", udp ? "udp" : "tcp");
}

absl::StatusOr<Listeners> ParseListeners(const std::vector<std::string>& listen) {
  if (listen.empty()) return absl::InvalidArgumentError("no SIP listen address");
  Listeners out;
  for (const auto& entry : listen) {
    PBX_ASSIGN_OR_RETURN(ListenEntry parsed, ParseListenEntry(entry));
    if (!out.address.empty() && parsed.address != out.address)
      return absl::InvalidArgumentError(
          absl::StrCat("listen entries must share one address and port (", out.address.str(),
                       " vs ", parsed.address.str(), ")"));
    out.address = parsed.address;
    (parsed.transport == "udp" ? out.udp : out.tcp) = true;
  }
  return out;
}

std::string LocalContact::header(Transport transport, const SocketAddress& peer) const {
  bool tcp = transport == Transport::kTcp ? listeners_.tcp : !listeners_.udp;
  SocketAddress host = listeners_.address;
  if (IsWildcard(host)) {
    auto local = LocalAddressToward(peer);
    if (!local) return {};
    auto parsed = SocketAddress::Parse(*local, host.port());
    if (!parsed.ok()) return {};
    host = *parsed;
  }
  return absl::StrCat("<sip:", host.str(), ";transport=", tcp ? "tcp" : "udp", ">");
}

OutboundTarget TargetOf(const OutboundInvite& invite) {
  OutboundTarget out;
  if (invite.nextHop) {
    out.transport = invite.nextHop->transport;
    out.peer = invite.nextHop->address;
    return out;
  }
  for (absl::string_view param : absl::StrSplit(invite.requestUri.params, ';')) {
    if (absl::EqualsIgnoreCase(param, "transport=tcp")) out.transport = Transport::kTcp;
  }
  auto peer = SocketAddress::Parse(invite.requestUri.host,
                                   invite.requestUri.port ? invite.requestUri.port : 5060);
  if (peer.ok()) out.peer = *peer;
  return out;
}

}  // namespace pbx::sip::internal
