#include "lib/media/rtp/media_engine_impl.h"

#include <algorithm>
#include <cstdlib>
#include <string>
#include <thread>
#include <utility>

#include "lib/base/log.h"
#include "lib/media/rtp/relay_core.h"
#include "lib/media/rtp/rtp_relay_impl.h"
#include "lib/media/rtp/udp_socket.h"

namespace pbx::media {
namespace internal {

absl::StatusOr<std::unique_ptr<MediaEngineImpl>> MediaEngineImpl::Create(
    const MediaEngineOptions& options, const TimeSource& time) {
  auto ip = SocketAddress::Parse(options.address, 0);
  if (!ip.ok()) return ip.status();
  auto address = InetAddress::From(*ip);
  if (!address.ok()) return address.status();
  if (options.portMin == 0 || options.portMin > options.portMax) {
    return absl::InvalidArgumentError("bad RTP port range " + std::to_string(options.portMin) +
                                      "-" + std::to_string(options.portMax));
  }
  auto engine = std::unique_ptr<MediaEngineImpl>(new MediaEngineImpl(options, *address));
  if (engine->ports_.pairCount() == 0) {
    return absl::InvalidArgumentError("RTP port range " + std::to_string(options.portMin) + "-" +
                                      std::to_string(options.portMax) +
                                      " holds no even/odd port pair");
  }
  int threads = options.threads;
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 0; i < threads; ++i) {
    auto thread = MediaThread::Create(i, time, engine->ports_);
    if (!thread.ok()) return thread.status();
    engine->threads_.push_back(std::move(*thread));
  }
  PBX_LOG(kInfo, "media", "", "media engine on {} ports {}-{}, {} media threads", ip->ip(),
          options.portMin, options.portMax, threads);
  return engine;
}

MediaEngineImpl::MediaEngineImpl(const MediaEngineOptions& options, const InetAddress& address)
    : address_(address), ports_(options.portMin, options.portMax) {}

MediaEngineImpl::~MediaEngineImpl() {
  const int64_t alive = relaysActive_.load();
  if (alive != 0) {
    // A relay handle points at its media thread: destroying the engine first is a bug in the
    // caller, and continuing would be a use-after-free later.
    PBX_LOG(kError, "media", "", "media engine destroyed with {} relays still alive", alive);
    std::abort();
  }
  threads_.clear();
}

MediaThread& MediaEngineImpl::leastLoadedThread() {
  // Start the scan at a rotating index so ties spread round-robin.
  const size_t start = nextThread_.fetch_add(1, std::memory_order_relaxed) % threads_.size();
  MediaThread* best = threads_[start].get();
  for (size_t k = 1; k < threads_.size(); ++k) {
    MediaThread* candidate = threads_[(start + k) % threads_.size()].get();
    if (candidate->load() < best->load()) best = candidate;
  }
  return *best;
}

absl::StatusOr<RtpRelayPtr> MediaEngineImpl::createRelay(const RelayOptions& options) {
  std::array<PortPairSockets, 2> sockets;
  std::array<uint16_t, 2> ports{};
  for (size_t side = 0; side < 2; ++side) {
    auto port = ports_.acquire([&](uint16_t rtpPort) {
      auto pair = BindPortPair(address_, rtpPort);
      if (!pair.ok()) return pair.status();
      sockets[side] = std::move(*pair);
      return absl::OkStatus();
    });
    if (!port.ok()) {
      if (side == 1) {
        sockets[0] = {};
        ports_.release(ports[0]);
      }
      return port.status();
    }
    ports[side] = *port;
  }
  MediaThread& thread = leastLoadedThread();
  auto core = std::make_shared<RelayCore>(options, address_, ports, std::move(sockets));
  thread.addRelay(core);
  relaysActive_.fetch_add(1, std::memory_order_relaxed);
  return std::make_unique<RtpRelayImpl>(std::move(core), thread, relaysActive_);
}

MediaEngineStats MediaEngineImpl::stats() const {
  MediaEngineStats out;
  out.relaysActive = static_cast<uint64_t>(std::max<int64_t>(0, relaysActive_.load()));
  for (const auto& thread : threads_) {
    const ThreadCounters& counters = thread->counters();
    out.packetsRelayed += Read(counters.packetsRelayed);
    out.bytesRelayed += Read(counters.bytesRelayed);
    out.packetsDropped += Read(counters.packetsDropped);
  }
  return out;
}

}  // namespace internal

absl::StatusOr<MediaEnginePtr> CreateMediaEngine(const MediaEngineOptions& options) {
  static const RealTimeSource* const kRealTime = new RealTimeSource();
  auto engine = internal::MediaEngineImpl::Create(options, *kRealTime);
  if (!engine.ok()) return engine.status();
  return MediaEnginePtr(std::move(*engine));
}

}  // namespace pbx::media
