#include "pbx/testing/simulated_media.h"

#include <array>

namespace pbx::testing {

class SimulatedMediaEngine::SimRelay final : public media::RtpRelay {
 public:
  SimRelay(SimulatedMediaEngine& engine, SocketAddress a, SocketAddress b, bool symmetric)
      : engine_(engine), local_{a, b}, symmetric_(symmetric) {
    engine_.endpoints_[a] = {this, media::RelaySide::kA};
    engine_.endpoints_[b] = {this, media::RelaySide::kB};
    ++engine_.stats_.relaysActive;
  }
  ~SimRelay() override {
    engine_.endpoints_.erase(local_[0]);
    engine_.endpoints_.erase(local_[1]);
    --engine_.stats_.relaysActive;
  }

  SocketAddress localAddress(media::RelaySide side) const override { return local_[idx(side)]; }
  void setRemote(media::RelaySide side, const SocketAddress& remote) override {
    remote_[idx(side)] = remote.port() == 0 ? SocketAddress() : remote;
  }
  void setForwarding(media::RelaySide from, bool enabled) override {
    forwarding_[idx(from)] = enabled;
  }
  media::RtpSideStats stats(media::RelaySide side) const override { return stats_[idx(side)]; }

  void receive(media::RelaySide side, const SocketAddress& from, uint64_t packets, uint64_t bytes) {
    auto& in = stats_[idx(side)];
    in.packetsReceived += packets;
    in.bytesReceived += packets * bytes;
    if (symmetric_) remote_[idx(side)] = from;  // latch onto the real source
    int out = 1 - idx(side);
    if (!forwarding_[idx(side)] || remote_[out].empty()) {
      in.packetsDropped += packets;
      engine_.stats_.packetsDropped += packets;
      return;
    }
    stats_[out].packetsSent += packets;
    stats_[out].bytesSent += packets * bytes;
    engine_.stats_.packetsRelayed += packets;
    engine_.stats_.bytesRelayed += packets * bytes;
    engine_.sentTo_[remote_[out]] += packets;
  }

 private:
  static int idx(media::RelaySide side) { return side == media::RelaySide::kA ? 0 : 1; }

  SimulatedMediaEngine& engine_;
  std::array<SocketAddress, 2> local_;
  std::array<SocketAddress, 2> remote_;
  std::array<bool, 2> forwarding_{true, true};
  std::array<media::RtpSideStats, 2> stats_{};
  bool symmetric_;
};

SimulatedMediaEngine::SimulatedMediaEngine() = default;
SimulatedMediaEngine::~SimulatedMediaEngine() = default;

absl::StatusOr<media::RtpRelayPtr> SimulatedMediaEngine::createRelay(
    const media::RelayOptions& options) {
  if (exhausted_) return absl::ResourceExhaustedError("simulated RTP port range exhausted");
  auto base = *SocketAddress::Parse("127.0.0.1", 0);
  SocketAddress a = base.withPort(nextPort_);
  SocketAddress b = base.withPort(nextPort_ + 2);
  nextPort_ += 4;
  return media::RtpRelayPtr(new SimRelay(*this, a, b, options.symmetricRtp));
}

media::MediaEngineStats SimulatedMediaEngine::stats() const { return stats_; }

bool SimulatedMediaEngine::deliver(const SocketAddress& from, const SocketAddress& to,
                                   uint64_t packets, uint64_t bytes) {
  auto it = endpoints_.find(to);
  if (it == endpoints_.end()) return false;
  it->second.first->receive(it->second.second, from, packets, bytes);
  return true;
}

uint64_t SimulatedMediaEngine::packetsSentTo(const SocketAddress& to) const {
  auto it = sentTo_.find(to);
  return it == sentTo_.end() ? 0 : it->second;
}

}  // namespace pbx::testing
