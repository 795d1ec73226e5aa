// RelayCore: the state of one RtpRelay that its media thread works on: the four sockets, where
// each side's media goes, the symmetric-RTP latches, and the packet path between the sides.
//
// Packet path: a readable endpoint socket is drained with recvmmsg(); each datagram is checked
// (RTP: >= 12 bytes, version 2; RTCP: >= 8 bytes, version 2), counted on the side it arrived
// on, and sent with sendmmsg() out of the other side's socket of the same kind (RTP -> RTP,
// RTCP -> RTCP) to that side's destination, unchanged.
//
// Counting: packetsReceived/bytesReceived count every datagram that arrived at a side; of
// those, packetsDropped counts the ones thrown away (malformed, from a stranger, no destination
// known yet, or the kernel refused to send); the rest were sent, or held back because
// forwarding from that side is off (hold), which is not a drop.
//
// Destinations and symmetric RTP (per side, and separately for RTP and RTCP):
//  - With symmetric RTP, the first valid packet arriving on a socket latches that socket's
//    destination onto the packet's source address (a phone behind NAT gets its media where it
//    sends from, whatever its SDP says). Once latched, packets from other sources are dropped
//    and counted, except that a new source takes over when the latched one has been silent
//    for kRelatchAfterSilence (the phone's NAT binding changed or it moved without a
//    re-INVITE). A setRemote() with a different address (new offer/answer) releases the
//    latches of that side: the next valid packet latches again.
//  - Until a socket has latched, RTP goes to the SDP address from setRemote(); RTCP goes to
//    port + 1 of the latched RTP source or else of the SDP address. Without symmetric RTP only
//    the SDP address (and its port + 1) is used, and packets from any source are accepted.
//  - No destination (no SDP address, port 0, nothing latched): packets are dropped, counted.
//
// Terminated media: once call control sets formats or asks for prompts, digits or recordings,
// the relay holds a TerminatedRelay. While it is terminating() the packet path hands RTP to it
// instead of forwarding (RTCP of a transcoded stream is not forwarded: its SSRCs and counts
// would be the other phone's), and the media thread ticks the relay every 20 ms so it sends
// what it encoded. Otherwise forwarding stays as above, and telephone-event packets are only
// peeked at for their digits.
//
// Sockets: the relay uses one PortPair per side, which its media thread owns and lends it
// (see port_pair.h); the thread hands the packets of a pair to the relay whose pair it is.
//
// Thread-safety: everything but the constructor, localAddress(), rtpPort() and stats() runs
// on the owning media thread only. The core is shared (shared_ptr) between the RtpRelay
// handle and the posted work of the media thread that still refers to it.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "lib/media/rtp/inet_address.h"
#include "lib/media/rtp/media_counters.h"
#include "lib/media/rtp/packet_batch.h"
#include "lib/media/rtp/port_pair.h"
#include "lib/media/terminated/terminated_relay.h"
#include "pbx/base/time_source.h"
#include "pbx/media/rtp_relay.h"

namespace pbx::media::internal {

class RelayCore final : private PacketOutput {
 public:
  static constexpr std::chrono::seconds kRelatchAfterSilence{2};

  // `pairs` (side A, side B) must stay open while the relay is registered on its thread.
  RelayCore(const RelayOptions& options, const InetAddress& local, std::array<PortPair*, 2> pairs);
  ~RelayCore() override;

  // Any thread.
  SocketAddress localAddress(RelaySide side) const;
  uint16_t rtpPort(RelaySide side) const { return rtpPorts_[Index(side)]; }
  RtpSideStats stats(RelaySide side) const { return counters_[Index(side)].snapshot(); }
  const std::string& name() const { return name_; }
  // Cleared by the relay's handle when it goes: events still queued for it are then dropped.
  std::shared_ptr<std::atomic<bool>> eventsAlive() const;

  // Media thread only.
  int fd(RelaySide side, Channel channel) const { return pairs_[Index(side)]->fd(channel); }
  PortPair* pair(RelaySide side) const { return pairs_[Index(side)]; }
  void setRemote(RelaySide side, const InetAddress& remote);
  void setForwarding(RelaySide from, bool enabled);
  // The terminated media, made on first use; its changes take effect at the next packet/tick.
  TerminatedRelay& media();
  bool terminating() const { return media_ != nullptr && media_->terminating(); }
  // Every 20 ms while terminating(): sends what each side hears.
  void tick(MonotonicTime now);
  // Whether RelayCore reported terminating() to its thread's tick list (the thread's flag).
  bool ticking = false;
  // Any thread: whether the relay transcodes, as of the media thread's last change.
  bool transcoding() const { return transcoding_.load(std::memory_order_relaxed); }
  // Reads the socket of `side`'s `channel` until it would block (or a fairness budget is
  // spent) and forwards what arrived.
  void onReadable(RelaySide side, Channel channel, PacketBatch& batch, MonotonicTime now,
                  ThreadCounters& totals);

 private:
  struct Latch {
    InetAddress source;
    MonotonicTime lastSeen{};
  };

  static size_t Index(RelaySide side) { return static_cast<size_t>(side); }
  static size_t Index(Channel channel) { return static_cast<size_t>(channel); }

  void forward(RelaySide side, Channel channel, PacketBatch& batch, size_t count, MonotonicTime now,
               ThreadCounters& totals);
  // False when a packet from `source` must be dropped because another source is latched.
  bool acceptSource(RelaySide side, Channel channel, const sockaddr* source, socklen_t length,
                    MonotonicTime now);
  void updateDestinations(RelaySide side);
  void sendRtp(RelaySide side, const uint8_t* data, size_t size) override;

  const bool symmetric_;
  const InetAddress local_;
  const std::array<uint16_t, 2> rtpPorts_;
  const std::string name_;  // "relay 20000/20002": log context
  const std::array<PortPair*, 2> pairs_;
  std::array<InetAddress, 2> remote_;                       // SDP address per side
  std::array<std::array<Latch, 2>, 2> latches_;             // [side][channel]
  std::array<std::array<InetAddress, 2>, 2> destinations_;  // [side][channel]
  std::array<bool, 2> forwarding_{true, true};
  std::array<SideCounters, 2> counters_;
  class Events;
  std::unique_ptr<Events> events_;
  std::unique_ptr<TerminatedRelay> media_;
  std::atomic<bool> transcoding_{false};
};

}  // namespace pbx::media::internal
