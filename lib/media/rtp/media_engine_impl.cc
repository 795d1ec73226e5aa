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
  auto engine = std::unique_ptr<MediaEngineImpl>(new MediaEngineImpl(options, *address, time));
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

MediaEngineImpl::MediaEngineImpl(const MediaEngineOptions& options, const InetAddress& address,
                                 const TimeSource& time)
    : address_(address),
      time_(time),
      ports_(options.portMin, options.portMax),
      services_(std::make_unique<MediaServices>(time)) {}

MediaEngineImpl::~MediaEngineImpl() {
  const int64_t alive = relaysActive_.load();
  if (alive != 0) {
    // A relay handle points at its media thread: destroying the engine first is a bug in the
    // caller, and continuing would be a use-after-free later.
    PBX_LOG(kError, "media", "", "media engine destroyed with {} relays still alive", alive);
    std::abort();
  }
  services_.reset();
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

absl::StatusOr<PortPair*> MediaEngineImpl::pairFor(MediaThread& thread, MonotonicTime now,
                                                   std::vector<std::unique_ptr<PortPair>>& bound) {
  if (PortPair* warm = thread.takeIdlePair(now, /*anyAge=*/false)) return warm;
  PortPairSockets sockets;
  auto port = ports_.acquire([&](uint16_t rtpPort) {
    auto pair = BindPortPair(address_, rtpPort);
    if (!pair.ok()) return pair.status();
    sockets = std::move(*pair);
    return absl::OkStatus();
  });
  if (port.ok()) {
    bound.push_back(std::make_unique<PortPair>(*port, std::move(sockets)));
    return bound.back().get();
  }
  if (PortPair* young = thread.takeIdlePair(now, /*anyAge=*/true)) return young;
  return port.status();
}

absl::StatusOr<RtpRelayPtr> MediaEngineImpl::createRelay(const RelayOptions& options) {
  MediaThread& preferred = leastLoadedThread();
  auto relay = createRelayOn(preferred, options);
  if (relay.ok() || !absl::IsResourceExhausted(relay.status())) return relay;
  // The range is used up and the preferred thread has no idle pair: another may have some.
  for (const auto& thread : threads_) {
    if (thread.get() == &preferred || thread->idlePairs() < 2) continue;
    auto other = createRelayOn(*thread, options);
    if (other.ok()) return other;
  }
  return relay;
}

absl::StatusOr<RtpRelayPtr> MediaEngineImpl::createRelayOn(MediaThread& thread,
                                                           const RelayOptions& options) {
  const MonotonicTime now = time_.monotonicTime();
  std::vector<std::unique_ptr<PortPair>> bound;
  auto a = pairFor(thread, now, bound);
  if (!a.ok()) return a.status();
  auto b = pairFor(thread, now, bound);
  if (!b.ok()) {
    if (bound.empty()) {
      thread.giveBack(*a);
    } else {
      const uint16_t port = bound.front()->rtpPort;
      bound.clear();  // closes its sockets, so the port can be bound again
      ports_.release(port);
    }
    return b.status();
  }
  auto core = std::make_shared<RelayCore>(options, address_, std::array<PortPair*, 2>{*a, *b});
  thread.addRelay(core, std::move(bound));
  relaysActive_.fetch_add(1, std::memory_order_relaxed);
  return std::make_unique<RtpRelayImpl>(std::move(core), thread, relaysActive_, *services_);
}

size_t MediaEngineImpl::idlePairs() const {
  size_t idle = 0;
  for (const auto& thread : threads_) idle += thread->idlePairs();
  return idle;
}

MediaEngineStats MediaEngineImpl::stats() const {
  MediaEngineStats out;
  out.relaysActive = static_cast<uint64_t>(std::max<int64_t>(0, relaysActive_.load()));
  for (const auto& thread : threads_) {
    const ThreadCounters& counters = thread->counters();
    out.packetsRelayed += Read(counters.packetsRelayed);
    out.bytesRelayed += Read(counters.bytesRelayed);
    out.packetsDropped += Read(counters.packetsDropped);
    out.cpuSeconds += thread->cpuSeconds();
  }
  return out;
}

}  // namespace internal

absl::StatusOr<MediaEnginePtr> CreateMediaEngine(const MediaEngineOptions& options) {
  auto engine = internal::MediaEngineImpl::Create(options, RealTime());
  if (!engine.ok()) return engine.status();
  return MediaEnginePtr(std::move(*engine));
}

}  // namespace pbx::media
