#include "lib/media/rtp/rtp_relay_impl.h"

#include <utility>

#include "lib/base/log.h"
#include "lib/media/rtp/inet_address.h"

namespace pbx::media::internal {

RtpRelayImpl::RtpRelayImpl(std::shared_ptr<RelayCore> core, MediaThread& thread,
                           std::atomic<int64_t>& activeRelays)
    : core_(std::move(core)),
      thread_(thread),
      activeRelays_(activeRelays),
      local_{core_->localAddress(RelaySide::kA), core_->localAddress(RelaySide::kB)} {}

RtpRelayImpl::~RtpRelayImpl() {
  thread_.closeRelay(core_);
  activeRelays_.fetch_sub(1, std::memory_order_relaxed);
}

SocketAddress RtpRelayImpl::localAddress(RelaySide side) const {
  return local_[static_cast<size_t>(side)];
}

void RtpRelayImpl::setRemote(RelaySide side, const SocketAddress& remote) {
  InetAddress destination;
  if (!remote.empty() && remote.port() != 0) {
    auto converted = InetAddress::From(remote);
    if (!converted.ok() || converted->isV6() != local_[0].isV6()) {
      // SDP from the network: an address our sockets cannot reach is "unknown", not a crash.
      PBX_LOG(kWarning, "media", core_->name(), "unusable remote address {} for a relay on {}",
              remote.str(), local_[0].str());
    } else {
      destination = *converted;
    }
  }
  thread_.post([core = core_, side, destination] { core->setRemote(side, destination); },
               MediaThread::Wake::kSoon);
}

void RtpRelayImpl::setForwarding(RelaySide from, bool enabled) {
  thread_.post([core = core_, from, enabled] { core->setForwarding(from, enabled); },
               MediaThread::Wake::kSoon);
}

RtpSideStats RtpRelayImpl::stats(RelaySide side) const { return core_->stats(side); }

}  // namespace pbx::media::internal
