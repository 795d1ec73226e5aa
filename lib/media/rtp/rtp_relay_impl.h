// RtpRelayImpl: the RtpRelay handle that call control holds. It owns nothing on the packet
// path itself: every change is posted to the media thread that owns the relay's RelayCore,
// and destroying the handle posts the close (sockets and ports are released on that thread).
//
// Thread-safety: as RtpRelay — one controlling thread; stats() from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "lib/media/rtp/media_thread.h"
#include "lib/media/rtp/relay_core.h"
#include "lib/media/terminated/media_services.h"
#include "pbx/media/rtp_relay.h"

namespace pbx::media::internal {

class RtpRelayImpl final : public RtpRelay {
 public:
  // `activeRelays` is the engine's gauge; it is decremented when the handle dies.
  RtpRelayImpl(std::shared_ptr<RelayCore> core, MediaThread& thread,
               std::atomic<int64_t>& activeRelays, MediaServices& services);
  ~RtpRelayImpl() override;

  SocketAddress localAddress(RelaySide side) const override;
  void setRemote(RelaySide side, const SocketAddress& remote) override;
  void setForwarding(RelaySide from, bool enabled) override;
  RtpSideStats stats(RelaySide side) const override;
  void setFormat(RelaySide side, const StreamFormat& format) override;
  bool transcoding() const override { return core_->transcoding(); }
  uint64_t play(RelaySide side, const PlayRequest& request) override;
  void stopPlaying(RelaySide side) override;
  void sendDtmf(RelaySide side, const DtmfDigit& digit) override;
  void detectInbandDtmf(RelaySide side, bool inband) override;
  uint64_t startRecording(const RecordRequest& request) override;
  void pauseRecording(uint64_t id, bool paused) override;
  void stopRecording(uint64_t id) override;

 private:
  // Runs `change` on the relay's terminated media, on its media thread.
  void change(std::function<void(TerminatedRelay&)> change);
  const std::shared_ptr<RelayCore> core_;
  MediaThread& thread_;
  std::atomic<int64_t>& activeRelays_;
  const std::array<SocketAddress, 2> local_;
  MediaServices& services_;
  uint64_t nextId_ = 0;
};

}  // namespace pbx::media::internal
