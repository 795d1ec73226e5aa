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
  // The phones alone leave every call as it was: its relay must not see a gap in the packets.
  MonotonicTime now = now_;
  for (size_t t = 0; t < ticks; ++t) {
    now += std::chrono::milliseconds(20);
    const size_t tick = tick_ + t;
    const auto n = static_cast<uint32_t>(t);
    for (Call& call : calls_) {
      const size_t frame = (call.offset + tick) % audio_.frames();
      // The PCMU phone: 160 samples at 8 kHz per packet.
      const Payload& pcmu = audio_.pcmu[frame];
      size_t size = media::internal::WriteRtpHeader(
          RtpHeader{tick == 0, pcmuType_, static_cast<uint16_t>(call.pcmu.sequence + n),
                    call.pcmu.timestamp + 160 * n, call.pcmu.ssrc},
          packet);
      std::memcpy(packet + size, pcmu.data(), pcmu.size());
      size += pcmu.size();
      counts_.phoneBytes += packet[size - 1];
      if (relays) call.relay->receive(RelaySide::kA, packet, size, now);
      // The Opus phone: RTP counts Opus at 48 kHz, 960 per 20 ms.
      const Payload& opus = audio_.opus[frame];
      size = media::internal::WriteRtpHeader(
          RtpHeader{tick == 0, opusType_, static_cast<uint16_t>(call.opus.sequence + n),
                    call.opus.timestamp + 960 * n, call.opus.ssrc},
          packet);
      std::memcpy(packet + size, opus.data(), opus.size());
      size += opus.size();
      counts_.phoneBytes += packet[size - 1];
      if (relays) {
        call.relay->receive(RelaySide::kB, packet, size, now);
        call.relay->tick(now, *output_);
      }
      counts_.packetsIn += 2;
    }
  }
  if (!relays) return;
  now_ = now;
  tick_ += ticks;
  for (Call& call : calls_) {
    call.pcmu.sequence = static_cast<uint16_t>(call.pcmu.sequence + ticks);
    call.pcmu.timestamp += static_cast<uint32_t>(160 * ticks);
    call.opus.sequence = static_cast<uint16_t>(call.opus.sequence + ticks);
    call.opus.timestamp += static_cast<uint32_t>(960 * ticks);
  }
}

}  // namespace pbx::bench
