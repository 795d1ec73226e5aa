// LocalContact: the Contact pbxd puts in every dialog it takes part in — the 1xx/2xx it
// answers an INVITE with, and the INVITEs it sends — naming the transport the dialog runs on
// and the port (RFC 3261 8.1.1.8 and 12.1.1: the peer sends every later request of the
// dialog, ACK and BYE included, to that URI).
//
// nua would write its own, chosen per stack rather than per dialog: with UDP and TCP on one
// address and port it pairs the two into one Contact without a transport parameter (meaning
// UDP), and leaves out the port when it is 5060. A phone that called over TCP then sent its
// ACK and BYE over UDP. So SofiaStack hands nua this Contact on every dialog instead.
//
//   LocalContact contact(listeners);
//   contact.header(Transport::kTcp, peer);   // "<sip:127.0.0.1:5060;transport=tcp>"
//
// Thread-safety: a value type.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "pbx/base/socket_address.h"
#include "pbx/sip/signaling_stack.h"

namespace pbx::sip::internal {

// What the `sip.listen` entries bind: one address and port, over UDP, TCP or both.
struct Listeners {
  SocketAddress address;
  bool udp = false;
  bool tcp = false;

  // The URI nua binds: "sip:IP:PORT" for both transports, else with ";transport=".
  std::string bindUri() const;
};
// Entries must share one address and port (nua binds one URI).
absl::StatusOr<Listeners> ParseListeners(const std::vector<std::string>& listen);

class LocalContact {
 public:
  explicit LocalContact(Listeners listeners) : listeners_(std::move(listeners)) {}

  // "<sip:HOST:PORT;transport=T>" for a dialog over `transport` with `peer`. T is the
  // dialog's transport when pbxd listens on it, else the one it does listen on. HOST is the
  // listen address; for a wildcard one (0.0.0.0, ::), the local address the kernel routes
  // to `peer` from — empty when that cannot be found, and nua writes its own.
  std::string header(Transport transport, const SocketAddress& peer) const;

 private:
  Listeners listeners_;
};

// The transport and peer of a dialog pbxd starts: its next hop (where the phone registered
// from), else what the Request-URI says (";transport=tcp", a numeric host).
struct OutboundTarget {
  Transport transport = Transport::kUdp;
  SocketAddress peer;  // empty when the Request-URI names a host by name
};
OutboundTarget TargetOf(const OutboundInvite& invite);

}  // namespace pbx::sip::internal
