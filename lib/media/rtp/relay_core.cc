#include "lib/media/rtp/relay_core.h"

#include <errno.h>
#include <sys/socket.h>

#include <string>

#include "lib/base/log.h"
#include "lib/media/rtp/rtp_packet.h"

namespace pbx::media::internal {
namespace {

bool IsValid(Channel channel, const uint8_t* data, size_t size) {
  return channel == Channel::kRtp ? LooksLikeRtp(data, size) : LooksLikeRtcp(data, size);
}

const char* ChannelName(Channel channel) { return channel == Channel::kRtp ? "RTP" : "RTCP"; }
char SideName(RelaySide side) { return side == RelaySide::kA ? 'A' : 'B'; }

}  // namespace

// Hands the terminated media's events to call control's dispatcher. The relay's handle clears
// `alive` (on that dispatcher's thread) when it goes, so events still queued then are dropped.
class RelayCore::Events final : public EventOutput {
 public:
  explicit Events(const RelayOptions& options)
      : dispatcher_(options.events), onEvent_(options.onEvent) {}
  void report(const MediaEvent& event) override {
    // A relay whose handle is gone reports nothing (its dispatcher may be gone too).
    if (dispatcher_ == nullptr || !onEvent_ || !alive->load()) return;
    dispatcher_->post([alive = alive, onEvent = onEvent_, event] {
      if (alive->load()) onEvent(event);
    });
  }
  const std::shared_ptr<std::atomic<bool>> alive = std::make_shared<std::atomic<bool>>(true);

 private:
  Dispatcher* dispatcher_;
  std::function<void(const MediaEvent&)> onEvent_;
};

RelayCore::RelayCore(const RelayOptions& options, const InetAddress& local,
                     std::array<PortPair*, 2> pairs)
    : symmetric_(options.symmetricRtp),
      local_(local),
      rtpPorts_{pairs[0]->rtpPort, pairs[1]->rtpPort},
      name_("relay " + std::to_string(rtpPorts_[0]) + "/" + std::to_string(rtpPorts_[1])),
      pairs_(pairs),
      events_(std::make_unique<Events>(options)) {}

RelayCore::~RelayCore() = default;

std::shared_ptr<std::atomic<bool>> RelayCore::eventsAlive() const { return events_->alive; }

void RelayCore::setForwarding(RelaySide from, bool enabled) {
  forwarding_[Index(from)] = enabled;
  if (media_) media_->setForwarding(from, enabled);
}

TerminatedRelay& RelayCore::media() {
  if (!media_) {
    media_ = std::make_unique<TerminatedRelay>(*events_);
    for (RelaySide side : {RelaySide::kA, RelaySide::kB})
      media_->setForwarding(side, forwarding_[Index(side)]);
  }
  return *media_;
}

void RelayCore::tick(MonotonicTime now) {
  if (terminating()) media_->tick(now, *this);
  transcoding_.store(terminating(), std::memory_order_relaxed);
}

void RelayCore::sendRtp(RelaySide side, const uint8_t* data, size_t size) {
  const InetAddress& destination = destinations_[Index(side)][Index(Channel::kRtp)];
  if (destination.empty()) return;
  ssize_t sent;
  do {
    sent = sendto(fd(side, Channel::kRtp), data, size, MSG_DONTWAIT, destination.sockaddrPtr(),
                  destination.length());
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) return;
  SideCounters& out = counters_[Index(side)];
  Add(out.packetsSent, 1);
  Add(out.bytesSent, size);
}

SocketAddress RelayCore::localAddress(RelaySide side) const {
  return local_.withPort(rtpPort(side)).toSocketAddress();
}

void RelayCore::setRemote(RelaySide side, const InetAddress& remote) {
  const size_t s = Index(side);
  if (remote_[s].sameAs(remote)) return;  // a re-offer of the same address keeps the latches
  remote_[s] = remote;
  latches_[s] = {};
  updateDestinations(side);
  PBX_LOG(kDebug, "media", name_, "side {} remote {}", SideName(side),
          remote.empty() ? std::string("unknown") : remote.toSocketAddress().str());
}

void RelayCore::updateDestinations(RelaySide side) {
  const size_t s = Index(side);
  const Latch& rtp = latches_[s][Index(Channel::kRtp)];
  const Latch& rtcp = latches_[s][Index(Channel::kRtcp)];
  InetAddress& rtpDestination = destinations_[s][Index(Channel::kRtp)];
  InetAddress& rtcpDestination = destinations_[s][Index(Channel::kRtcp)];

  rtpDestination = !rtp.source.empty() ? rtp.source : remote_[s];
  if (!rtcp.source.empty()) {
    rtcpDestination = rtcp.source;
  } else if (!rtpDestination.empty()) {
    rtcpDestination = rtpDestination.withPort(static_cast<uint16_t>(rtpDestination.port() + 1));
  } else {
    rtcpDestination = {};
  }
}

void RelayCore::onReadable(RelaySide side, Channel channel, PacketBatch& batch, MonotonicTime now,
                           ThreadCounters& totals) {
  ReadSocket(fd(side, channel), batch,
             [&](size_t count) { forward(side, channel, batch, count, now, totals); });
}

bool RelayCore::acceptSource(RelaySide side, Channel channel, const sockaddr* source,
                             socklen_t length, MonotonicTime now) {
  Latch& latch = latches_[Index(side)][Index(channel)];
  if (latch.source.matches(source, length)) {
    latch.lastSeen = now;
    return true;
  }
  const bool first = latch.source.empty();
  if (!first && now - latch.lastSeen < kRelatchAfterSilence) return false;
  InetAddress from = InetAddress::FromSockaddr(source, length);
  if (from.empty()) return false;
  if (!first) {
    PBX_LOG(kInfo, "media", name_, "side {} {} re-latched from {} to {} after silence",
            SideName(side), ChannelName(channel), latch.source.toSocketAddress().str(),
            from.toSocketAddress().str());
  } else {
    PBX_LOG(kDebug, "media", name_, "side {} {} latched to {}", SideName(side),
            ChannelName(channel), from.toSocketAddress().str());
  }
  latch.source = from;
  latch.lastSeen = now;
  updateDestinations(side);
  return true;
}

void RelayCore::forward(RelaySide side, Channel channel, PacketBatch& batch, size_t count,
                        MonotonicTime now, ThreadCounters& totals) {
  const RelaySide to = Other(side);
  const InetAddress& destination = destinations_[Index(to)][Index(channel)];
  const bool forwarding = forwarding_[Index(side)];
  const bool terminated = terminating();
  const int events = media_ && channel == Channel::kRtp ? media_->telephoneEvent(side) : -1;

  uint64_t bytesIn = 0;
  uint64_t dropped = 0;
  size_t queued = 0;
  for (size_t i = 0; i < count; ++i) {
    bytesIn += batch.size(i);
    if (batch.truncated(i) || !IsValid(channel, batch.data(i), batch.size(i)) ||
        (symmetric_ && !acceptSource(side, channel, batch.source(i), batch.sourceLength(i), now))) {
      ++dropped;
      continue;
    }
    if (terminated) {
      // Decoded and re-encoded on the tick; RTCP of the phone's own stream stays here.
      if (channel == Channel::kRtp) media_->receive(side, batch.data(i), batch.size(i), now);
      continue;
    }
    if (events >= 0 && (batch.data(i)[1] & 0x7f) == events)
      media_->peek(side, batch.data(i), batch.size(i), now);
    if (!forwarding) continue;
    if (destination.empty()) {
      ++dropped;
      continue;
    }
    batch.queueSend(queued++, i, destination.sockaddrPtr(), destination.length());
  }

  uint64_t sent = 0;
  uint64_t bytesOut = 0;
  const int out = fd(to, channel);
  size_t next = 0;
  while (next < queued) {
    const int n = sendmmsg(out, &batch.outgoing[next], queued - next, MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;  // send buffer full: drop the rest
      ++next;  // this datagram cannot be sent (e.g. wrong family for the socket)
      continue;
    }
    for (size_t k = next; k < next + static_cast<size_t>(n); ++k) {
      bytesOut += batch.sendVectors[k].iov_len;
    }
    sent += static_cast<uint64_t>(n);
    next += static_cast<size_t>(n);
  }
  dropped += queued - sent;

  SideCounters& in = counters_[Index(side)];
  Add(in.bytesReceived, bytesIn);
  if (dropped != 0) {
    Add(in.packetsDropped, dropped);
    Add(totals.packetsDropped, dropped);
  }
  if (sent != 0) {
    SideCounters& outCounters = counters_[Index(to)];
    Add(outCounters.packetsSent, sent);
    Add(outCounters.bytesSent, bytesOut);
    Add(totals.packetsRelayed, sent);
    Add(totals.bytesRelayed, bytesOut);
  }
  // Last, and with release order: whoever sees this count sees every other counter this
  // batch touched (see SideCounters).
  in.packetsReceived.store(Read(in.packetsReceived) + count, std::memory_order_release);
}

}  // namespace pbx::media::internal
