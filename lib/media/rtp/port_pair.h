// PortPair: an RTP socket on an even port and its RTCP socket on the next one, bound on the
// media address. A relay uses two pairs, one per side. A pair belongs to one media thread and
// stays in that thread's epoll set for its whole life: when its relay closes, the pair goes
// back to the thread's idle pool, still bound, and a later relay takes it from there (see
// MediaThread), so a call costs no socket(), bind(), epoll_ctl() or close() once the pool is
// warm.
//
// Thread-safety: rtpPort and sockets are fixed once the pair is made; `owner` and `side`
// belong to the owning media thread; `idle` and `idleSince` are guarded by that thread's pool
// mutex.
#pragma once

#include <array>
#include <cstdint>
#include <utility>

#include "lib/media/rtp/udp_socket.h"
#include "pbx/base/time_source.h"
#include "pbx/media/rtp_relay.h"

namespace pbx::media::internal {

class RelayCore;

enum class Channel { kRtp = 0, kRtcp = 1 };

struct PortPair {
  // What an epoll event on one of the two sockets points to.
  struct Slot {
    PortPair* pair;
    Channel channel;
  };

  PortPair(uint16_t port, PortPairSockets bound)
      : rtpPort(port),
        sockets(std::move(bound)),
        slots{Slot{this, Channel::kRtp}, Slot{this, Channel::kRtcp}} {}
  PortPair(const PortPair&) = delete;
  PortPair& operator=(const PortPair&) = delete;

  int fd(Channel channel) const {
    return channel == Channel::kRtp ? sockets.rtp.fd() : sockets.rtcp.fd();
  }
  Slot* slot(Channel channel) { return &slots[static_cast<size_t>(channel)]; }

  const uint16_t rtpPort;
  PortPairSockets sockets;
  std::array<Slot, 2> slots;

  RelayCore* owner = nullptr;  // the relay whose `side` this pair is; null while not in use
  RelaySide side = RelaySide::kA;

  bool idle = false;  // in the idle pool, not handed out
  MonotonicTime idleSince{};
};

}  // namespace pbx::media::internal
