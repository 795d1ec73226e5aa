#include "tools/bench/transcode/transcoded_calls.h"

#include <cstring>

#include "lib/media/rtp/rtp_header.h"

namespace pbx::bench {

using media::RelaySide;
using media::internal::RtpHeader;

class TranscodedCalls::Output final : public media::internal::PacketOutput,
                                      public media::internal::EventOutput {
 public:
  explicit Output(Counts& counts) : counts_(counts) {}
  void sendRtp(RelaySide side, const uint8_t*, size_t size) override {
    const size_t i = static_cast<size_t>(side);
    ++counts_.packetsOut[i];
    counts_.bytesOut[i] += size;
  }
  void report(const media::MediaEvent&) override { ++counts_.events; }

 private:
  Counts& counts_;
};

TranscodedCalls::TranscodedCalls(const CallAudio& audio, const media::StreamFormat& pcmu,
                                 const media::StreamFormat& opus, size_t calls)
    : audio_(audio),
      pcmuType_(static_cast<uint8_t>(pcmu.payloadType)),
      opusType_(static_cast<uint8_t>(opus.payloadType)),
      output_(std::make_unique<Output>(counts_)) {
  calls_.reserve(calls);
  for (size_t i = 0; i < calls; ++i) {
    Call call;
    call.relay = std::make_unique<media::internal::TerminatedRelay>(*output_);
    call.relay->setFormat(RelaySide::kA, pcmu);
    call.relay->setFormat(RelaySide::kB, opus);
    const uint32_t n = static_cast<uint32_t>(i);
    call.pcmu = {0x10000000u + n, static_cast<uint16_t>(n * 977), n * 7919u};
    call.opus = {0x20000000u + n, static_cast<uint16_t>(n * 1999), n * 104729u};
    call.offset = (i * 37) % audio.frames();
    calls_.push_back(std::move(call));
  }
}

TranscodedCalls::~TranscodedCalls() = default;

bool TranscodedCalls::allTerminating() const {
  for (const Call& call : calls_)
    if (!call.relay->terminating()) return false;
  return true;
}

void TranscodedCalls::run(size_t ticks, bool relays) {
  // Room for the largest prepared payload behind its header.
  uint8_t packet[12 + media::internal::kMaxPayloadBytes];
  for (size_t t = 0; t < ticks; ++t, ++tick_) {
    now_ += std::chrono::milliseconds(20);
    for (Call& call : calls_) {
      const size_t frame = (call.offset + tick_) % audio_.frames();
      // The PCMU phone: 160 samples at 8 kHz per packet.
      const Payload& pcmu = audio_.pcmu[frame];
      size_t size =
          media::internal::WriteRtpHeader(RtpHeader{tick_ == 0, pcmuType_, call.pcmu.sequence++,
                                                    call.pcmu.timestamp, call.pcmu.ssrc},
                                          packet);
      std::memcpy(packet + size, pcmu.data(), pcmu.size());
      size += pcmu.size();
      call.pcmu.timestamp += 160;
      counts_.phoneBytes += packet[size - 1];
      if (relays) call.relay->receive(RelaySide::kA, packet, size, now_);
      // The Opus phone: RTP counts Opus at 48 kHz, 960 per 20 ms.
      const Payload& opus = audio_.opus[frame];
      size = media::internal::WriteRtpHeader(RtpHeader{tick_ == 0, opusType_, call.opus.sequence++,
                                                       call.opus.timestamp, call.opus.ssrc},
                                             packet);
      std::memcpy(packet + size, opus.data(), opus.size());
      size += opus.size();
      call.opus.timestamp += 960;
      counts_.phoneBytes += packet[size - 1];
      if (relays) {
        call.relay->receive(RelaySide::kB, packet, size, now_);
        call.relay->tick(now_, *output_);
      }
      counts_.packetsIn += 2;
    }
  }
}

}  // namespace pbx::bench
