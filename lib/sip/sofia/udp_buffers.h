// The size of the SIP UDP socket buffers, and the warning when the kernel will not grant it.
//
// A loaded pbxd receives SIP in bursts; with the kernel's default 208 KiB receive buffer,
// a few milliseconds of work at a couple of thousand calls a second overflow it, and every
// datagram dropped comes back as a retransmission half a second later. sofia-sip sets the
// size with SO_RCVBUFFORCE (granted with CAP_NET_ADMIN), else with SO_RCVBUF, which the kernel
// caps at net.core.rmem_max (212992 on a stock Debian).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "pbx/base/socket_address.h"

namespace pbx::sip::internal {

inline constexpr unsigned kUdpSocketBuffer = 4 * 1024 * 1024;

struct UdpBufferLimits {
  uint64_t rmemMax = 0;   // net.core.rmem_max
  uint64_t wmemMax = 0;   // net.core.wmem_max
  bool netAdmin = false;  // CAP_NET_ADMIN in the effective set: the limits do not apply
};

// This process's limits, from /proc (0 where unreadable).
UdpBufferLimits ReadUdpBufferLimits();

// A warning naming the sysctl to raise, when `limits` keep the buffers below `wanted`.
std::optional<std::string> UdpBufferWarning(const UdpBufferLimits& limits, uint64_t wanted);

// The descriptor of this process's UDP socket bound to `address`, or -1. sofia-sip opens its
// sockets itself and gives no way to ask for them.
int FindUdpSocket(const SocketAddress& address);

// How full the receive buffer of socket `fd` is, 0 to 1 (1 and beyond: the kernel drops what
// arrives), by the kernel's own accounting (SO_MEMINFO); 0 if it cannot be read.
double ReceiveQueueFill(int fd);

}  // namespace pbx::sip::internal
