// SimulatedMediaEngine: a MediaEngine without sockets, for in-process tests.
//
// Relays get made-up local addresses (127.0.0.1, ports counting up from 40000). Phones "send"
// media in two ways:
//  - deliver(): `packets` packets counted but never built — enough to test the relay's
//    forwarding, latching and the RTP timeout cheaply;
//  - deliverPacket(): one real RTP packet, which the relay forwards untouched or, when it
//    transcodes, plays, records or listens for digits, runs through the same terminated media
//    as the real engine (codecs, jitter buffer, DTMF, prompts, recordings).
// Packets a relay sends go to the receiver registered for their destination address
// (listen()), synchronously. With a dispatcher, every 20 ms of its (simulated) time the engine
// ticks: first the tickers (phones sending their next frame), then every terminating relay.
//
// Thread-safety: single-threaded (the test's thread). Prompt and recording files are read and
// written on that thread too, or on the recording writer's.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <span>
#include <vector>

#include "pbx/base/dispatcher.h"
#include "pbx/media/media_engine.h"

namespace pbx::testing {

class SimulatedMediaEngine final : public media::MediaEngine {
 public:
  using Receiver = std::function<void(std::span<const uint8_t> packet)>;
  using Ticker = std::function<void()>;

  // Without a dispatcher the engine only relays (nothing ticks).
  explicit SimulatedMediaEngine(Dispatcher* dispatcher = nullptr);
  ~SimulatedMediaEngine() override;

  absl::StatusOr<media::RtpRelayPtr> createRelay(const media::RelayOptions& options) override;
  media::MediaEngineStats stats() const override;

  // `packets` RTP packets of `bytes` each from `from` to the relay endpoint at `to`.
  // Returns false when no relay endpoint has that address (nobody would receive them).
  bool deliver(const SocketAddress& from, const SocketAddress& to, uint64_t packets,
               uint64_t bytes = 172);
  // One real packet from `from` to the relay endpoint at `to`; false when there is none.
  bool deliverPacket(const SocketAddress& from, const SocketAddress& to,
                     std::span<const uint8_t> packet);
  // Packets sent to `address` are handed to `receiver` (one per address; an empty one stops).
  void listen(const SocketAddress& address, Receiver receiver);
  // Runs every 20 ms, before the relays tick; the returned id removes it.
  uint64_t addTicker(Ticker ticker);
  void removeTicker(uint64_t id);
  // Relays whose media is terminated now (transcoding, playing, recording, detecting).
  size_t terminatedRelays() const { return ticking_.size(); }
  // Packets the relays sent to `to` so far.
  uint64_t packetsSentTo(const SocketAddress& to) const;
  // Makes createRelay() fail, as when the port range is exhausted.
  void setExhausted(bool exhausted) { exhausted_ = exhausted; }

 private:
  class SimRelay;
  friend class SimRelay;
  struct Shared;
  void deliverTo(const SocketAddress& to, std::span<const uint8_t> packet);
  void noteTerminating(SimRelay& relay);
  void armTick();
  void tick();

  Dispatcher* dispatcher_;
  std::unique_ptr<Shared> shared_;  // prompt cache and recording writer
  TimerPtr timer_;
  std::map<SocketAddress, std::pair<SimRelay*, media::RelaySide>> endpoints_;
  std::map<SocketAddress, uint64_t> sentTo_;
  std::map<SocketAddress, Receiver> receivers_;
  std::map<uint64_t, Ticker> tickers_;
  std::vector<SimRelay*> ticking_;  // relays whose media is terminated
  uint64_t nextTicker_ = 1;
  uint16_t nextPort_ = 40000;
  bool exhausted_ = false;
  media::MediaEngineStats stats_;
};

}  // namespace pbx::testing
