// SimulatedMediaEngine: a MediaEngine without sockets, for in-process tests.
//
// Relays get made-up local addresses (127.0.0.1, ports counting up from 40000). A test (or a
// SimPhone) "sends" RTP by calling deliver() with the address it sends to; the relay counts
// the packets on the receiving side, latches the sender like the real relay does, and counts
// them as sent out of the other side when that side has a destination.
//
// Thread-safety: single-threaded (the test's thread).
#pragma once

#include <map>
#include <memory>

#include "pbx/media/media_engine.h"

namespace pbx::testing {

class SimulatedMediaEngine final : public media::MediaEngine {
 public:
  SimulatedMediaEngine();
  ~SimulatedMediaEngine() override;

  absl::StatusOr<media::RtpRelayPtr> createRelay(const media::RelayOptions& options) override;
  media::MediaEngineStats stats() const override;

  // `packets` RTP packets of `bytes` each from `from` to the relay endpoint at `to`.
  // Returns false when no relay endpoint has that address (nobody would receive them).
  bool deliver(const SocketAddress& from, const SocketAddress& to, uint64_t packets,
               uint64_t bytes = 172);
  // Packets the relays sent to `to` so far.
  uint64_t packetsSentTo(const SocketAddress& to) const;
  // Makes createRelay() fail, as when the port range is exhausted.
  void setExhausted(bool exhausted) { exhausted_ = exhausted; }

 private:
  class SimRelay;
  friend class SimRelay;

  std::map<SocketAddress, std::pair<SimRelay*, media::RelaySide>> endpoints_;
  std::map<SocketAddress, uint64_t> sentTo_;
  uint16_t nextPort_ = 40000;
  bool exhausted_ = false;
  media::MediaEngineStats stats_;
};

}  // namespace pbx::testing
