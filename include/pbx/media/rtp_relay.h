// RtpRelay: media anchored in the PBX for one two-party call.
//
// A relay owns two RTP endpoints (each an RTP socket and the RTCP socket on port + 1) on the
// PBX's media address: side A faces the caller, side B the callee. Call control writes each
// endpoint's address into the SDP it sends (so both phones send their media to the PBX), and
// tells the relay where each phone said it wants media (from the SDP it received). Packets
// that arrive on A are sent out of B to the callee and vice versa, unchanged (G.711 and any
// other payload pass through).
//
// Symmetric RTP: phones behind NAT send from an address other than the one in their SDP; the
// relay latches each side's destination onto the source address of the packets it receives
// there, so media reaches them anyway.
//
//   auto relay = engine.createRelay({});                     // StatusOr<RtpRelayPtr>
//   offerToCallee.setMedia(relay->localAddress(RelaySide::kB));
//   relay->setRemote(RelaySide::kA, callerSdpAddress);
//   ...
//   relay.reset();                                          // closes the sockets
//
// Thread-safety: create, configure and destroy a relay on one thread (the signaling thread);
// the packet work happens on a media thread. stats() may be read from any thread.
#pragma once

#include <cstdint>
#include <memory>

#include "pbx/base/socket_address.h"

namespace pbx::media {

enum class RelaySide { kA = 0, kB = 1 };

inline RelaySide Other(RelaySide side) {
  return side == RelaySide::kA ? RelaySide::kB : RelaySide::kA;
}

// Counters for the packets one side's endpoint received from its phone and sent to it.
struct RtpSideStats {
  uint64_t packetsReceived = 0;
  uint64_t bytesReceived = 0;
  uint64_t packetsSent = 0;
  uint64_t bytesSent = 0;
  uint64_t packetsDropped = 0;  // not RTP/RTCP, from a stranger, or no destination known yet
};

class RtpRelay {
 public:
  virtual ~RtpRelay() = default;

  // The PBX address a phone on `side` must send its RTP to (RTCP goes to port + 1).
  virtual SocketAddress localAddress(RelaySide side) const = 0;
  // Where the phone on `side` asked to receive media (from its SDP). An empty address (or
  // port 0) means "unknown/on hold": nothing is sent there until a packet latches it.
  virtual void setRemote(RelaySide side, const SocketAddress& remote) = 0;
  // Whether packets from `side` are forwarded to the other side (false while on hold).
  virtual void setForwarding(RelaySide from, bool enabled) = 0;
  virtual RtpSideStats stats(RelaySide side) const = 0;
};
using RtpRelayPtr = std::unique_ptr<RtpRelay>;

struct RelayOptions {
  // Latch onto the source of received packets (symmetric RTP). On by default.
  bool symmetricRtp = true;
};

}  // namespace pbx::media
