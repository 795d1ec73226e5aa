#include "pbx/testing/simulated_media.h"

#include <array>
#include <vector>

#include "lib/media/audio/prompt_cache.h"
#include "lib/media/audio/recorder.h"
#include "lib/media/terminated/terminated_relay.h"

namespace pbx::testing {
namespace {
constexpr std::chrono::milliseconds kTick{20};
}  // namespace

struct SimulatedMediaEngine::Shared {
  media::internal::PromptCache prompts;
  media::internal::RecordingWriter recordings;
};

class SimulatedMediaEngine::SimRelay final : public media::RtpRelay,
                                             private media::internal::PacketOutput,
                                             private media::internal::EventOutput {
 public:
  SimRelay(SimulatedMediaEngine& engine, SocketAddress a, SocketAddress b,
           const media::RelayOptions& options)
      : engine_(engine), local_{a, b}, options_(options), media_(*this) {
    engine_.endpoints_[a] = {this, media::RelaySide::kA};
    engine_.endpoints_[b] = {this, media::RelaySide::kB};
    ++engine_.stats_.relaysActive;
  }
  ~SimRelay() override {
    *alive_ = false;
    engine_.endpoints_.erase(local_[0]);
    engine_.endpoints_.erase(local_[1]);
    std::erase(engine_.ticking_, this);
    --engine_.stats_.relaysActive;
  }

  SocketAddress localAddress(media::RelaySide side) const override { return local_[idx(side)]; }
  void setRemote(media::RelaySide side, const SocketAddress& remote) override {
    remote_[idx(side)] = remote.port() == 0 ? SocketAddress() : remote;
  }
  void setForwarding(media::RelaySide from, bool enabled) override {
    forwarding_[idx(from)] = enabled;
    media_.setForwarding(from, enabled);
  }
  media::RtpSideStats stats(media::RelaySide side) const override { return stats_[idx(side)]; }

  void setFormat(media::RelaySide side, const media::StreamFormat& format) override {
    media_.setFormat(side, format);
    changed();
  }
  bool transcoding() const override { return media_.terminating(); }
  uint64_t play(media::RelaySide side, const media::PlayRequest& request) override {
    const uint64_t id = ++nextId_;
    std::vector<std::shared_ptr<const media::internal::Prompt>> prompts;
    for (const std::string& file : request.files) {
      auto prompt = engine_.shared_->prompts.load(file);
      if (!prompt.ok()) {
        report({media::MediaEvent::Type::kPlayFinished, side, id, {}, prompt.status()});
        return id;
      }
      prompts.push_back(std::move(*prompt));
    }
    media_.play(side, id, std::move(prompts), request.loop);
    changed();
    return id;
  }
  void stopPlaying(media::RelaySide side) override {
    media_.stopPlaying(side);
    changed();
  }
  void sendDtmf(media::RelaySide side, const media::DtmfDigit& digit) override {
    media_.sendDtmf(side, digit);
    changed();
  }
  void detectInbandDtmf(media::RelaySide side, bool inband) override {
    media_.detectInband(side, inband);
    changed();
  }
  uint64_t startRecording(const media::RecordRequest& request) override {
    const uint64_t id = ++nextId_;
    Dispatcher* dispatcher = engine_.dispatcher_;
    auto finished = [this, alive = alive_, dispatcher, id](absl::Status status) {
      // The writer's thread: back to the test's loop.
      if (dispatcher == nullptr) return;
      dispatcher->post([this, alive, id, status] {
        if (*alive) report({media::MediaEvent::Type::kRecordingFinished, {}, id, {}, status});
      });
    };
    media::internal::Recorder::Options recorderOptions;
    recorderOptions.mode = request.mode;
    auto recorder = media::internal::Recorder::Create(engine_.shared_->recordings, request.path,
                                                      recorderOptions, finished);
    if (!recorder.ok()) {
      report({media::MediaEvent::Type::kRecordingFinished, {}, id, {}, recorder.status()});
      return id;
    }
    media_.startRecording(id, request.mode, request.side, std::move(*recorder));
    changed();
    return id;
  }
  void pauseRecording(uint64_t id, bool paused) override { media_.pauseRecording(id, paused); }
  void stopRecording(uint64_t id) override {
    media_.stopRecording(id);
    changed();
  }

  void receive(media::RelaySide side, const SocketAddress& from, uint64_t packets, uint64_t bytes) {
    auto& in = stats_[idx(side)];
    in.packetsReceived += packets;
    in.bytesReceived += packets * bytes;
    if (options_.symmetricRtp) remote_[idx(side)] = from;  // latch onto the real source
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

  void receivePacket(media::RelaySide side, const SocketAddress& from,
                     std::span<const uint8_t> packet) {
    if (!media_.terminating()) {
      if (media_.telephoneEvent(side) >= 0 && packet.size() > 1 &&
          (packet[1] & 0x7f) == media_.telephoneEvent(side))
        media_.peek(side, packet.data(), packet.size(), now());
      receive(side, from, 1, packet.size());
      const SocketAddress& to = remote_[1 - idx(side)];
      if (forwarding_[idx(side)] && !to.empty()) engine_.deliverTo(to, packet);
      return;
    }
    auto& in = stats_[idx(side)];
    ++in.packetsReceived;
    in.bytesReceived += packet.size();
    if (options_.symmetricRtp) remote_[idx(side)] = from;
    media_.receive(side, packet.data(), packet.size(), now());
  }

  void tick() { media_.tick(now(), *this); }
  bool terminating() const { return media_.terminating(); }

 private:
  static int idx(media::RelaySide side) { return side == media::RelaySide::kA ? 0 : 1; }
  MonotonicTime now() const {
    return engine_.dispatcher_ ? engine_.dispatcher_->timeSource().monotonicTime()
                               : MonotonicTime{};
  }
  void changed() { engine_.noteTerminating(*this); }

  void sendRtp(media::RelaySide side, const uint8_t* data, size_t size) override {
    const SocketAddress& to = remote_[idx(side)];
    if (to.empty()) return;
    ++stats_[idx(side)].packetsSent;
    stats_[idx(side)].bytesSent += size;
    ++engine_.stats_.packetsRelayed;
    engine_.stats_.bytesRelayed += size;
    ++engine_.sentTo_[to];
    engine_.deliverTo(to, {data, size});
  }
  void report(const media::MediaEvent& event) override {
    Dispatcher* dispatcher = options_.events;
    if (dispatcher == nullptr || !options_.onEvent) return;
    dispatcher->post([alive = alive_, onEvent = options_.onEvent, event] {
      if (*alive) onEvent(event);
    });
  }

  SimulatedMediaEngine& engine_;
  std::array<SocketAddress, 2> local_;
  std::array<SocketAddress, 2> remote_;
  std::array<bool, 2> forwarding_{true, true};
  std::array<media::RtpSideStats, 2> stats_{};
  media::RelayOptions options_;
  media::internal::TerminatedRelay media_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  uint64_t nextId_ = 0;
};

SimulatedMediaEngine::SimulatedMediaEngine(Dispatcher* dispatcher)
    : dispatcher_(dispatcher), shared_(std::make_unique<Shared>()) {
  if (dispatcher_) timer_ = dispatcher_->createTimer([this] { tick(); });
}

SimulatedMediaEngine::~SimulatedMediaEngine() { shared_->recordings.stop(); }

absl::StatusOr<media::RtpRelayPtr> SimulatedMediaEngine::createRelay(
    const media::RelayOptions& options) {
  if (exhausted_) return absl::ResourceExhaustedError("simulated RTP port range exhausted");
  auto base = *SocketAddress::Parse("127.0.0.1", 0);
  SocketAddress a = base.withPort(nextPort_);
  SocketAddress b = base.withPort(nextPort_ + 2);
  nextPort_ += 4;
  return media::RtpRelayPtr(new SimRelay(*this, a, b, options));
}

media::MediaEngineStats SimulatedMediaEngine::stats() const { return stats_; }

bool SimulatedMediaEngine::deliver(const SocketAddress& from, const SocketAddress& to,
                                   uint64_t packets, uint64_t bytes) {
  auto it = endpoints_.find(to);
  if (it == endpoints_.end()) return false;
  it->second.first->receive(it->second.second, from, packets, bytes);
  return true;
}

bool SimulatedMediaEngine::deliverPacket(const SocketAddress& from, const SocketAddress& to,
                                         std::span<const uint8_t> packet) {
  auto it = endpoints_.find(to);
  if (it == endpoints_.end()) return false;
  it->second.first->receivePacket(it->second.second, from, packet);
  return true;
}

void SimulatedMediaEngine::deliverTo(const SocketAddress& to, std::span<const uint8_t> packet) {
  auto it = receivers_.find(to);
  if (it != receivers_.end() && it->second) it->second(packet);
}

void SimulatedMediaEngine::listen(const SocketAddress& address, Receiver receiver) {
  if (receiver) {
    receivers_[address] = std::move(receiver);
  } else {
    receivers_.erase(address);
  }
}

uint64_t SimulatedMediaEngine::addTicker(Ticker ticker) {
  tickers_[nextTicker_] = std::move(ticker);
  armTick();
  return nextTicker_++;
}

void SimulatedMediaEngine::removeTicker(uint64_t id) { tickers_.erase(id); }

void SimulatedMediaEngine::noteTerminating(SimRelay& relay) {
  const bool listed = std::find(ticking_.begin(), ticking_.end(), &relay) != ticking_.end();
  if (relay.terminating() && !listed) ticking_.push_back(&relay);
  armTick();
}

void SimulatedMediaEngine::armTick() {
  if (timer_ && !timer_->enabled() && (!tickers_.empty() || !ticking_.empty()))
    timer_->enable(kTick);
}

void SimulatedMediaEngine::tick() {
  // Copies: a ticker or relay may go away while the others run.
  std::vector<uint64_t> ids;
  for (const auto& [id, ticker] : tickers_) ids.push_back(id);
  for (uint64_t id : ids) {
    auto it = tickers_.find(id);
    if (it != tickers_.end()) it->second();
  }
  std::vector<SimRelay*> relays = ticking_;
  for (SimRelay* relay : relays)
    if (std::find(ticking_.begin(), ticking_.end(), relay) != ticking_.end()) relay->tick();
  std::erase_if(ticking_, [](SimRelay* relay) { return !relay->terminating(); });
  armTick();
}

uint64_t SimulatedMediaEngine::packetsSentTo(const SocketAddress& to) const {
  auto it = sentTo_.find(to);
  return it == sentTo_.end() ? 0 : it->second;
}

}  // namespace pbx::testing
