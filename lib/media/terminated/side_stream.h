// SideStream: the terminated RTP stream of one leg — what its phone sends, decoded into 20 ms
// frames, and what it hears, encoded and packetized in the format it negotiated.
//
// Receive: audio packets go through the jitter buffer and the decoder (concealing losses);
// RFC 4733 packets go to the event receiver, which reports each digit once. Send: each tick's
// frame is encoded into one packet with our own SSRC, sequence and timestamp, or replaced by
// RFC 4733 event packets while a digit is being sent.
//
// SRTP (format.srtp set): every packet received is unprotected before it is parsed (one that
// does not authenticate, or replays, is dropped and counted: srtpStats()), and every packet
// sent is protected. The keys stay in the SrtpSession; nothing here logs them.
//
//   auto stream = SideStream::Create(format, ssrc);
//   stream->receive(data, size, now);            // each packet that arrived
//   const AudioFrame* said = stream->pull(now);  // each tick: 20 ms, or null before any audio
//   size_t size = stream->packetize(heard, packet);
//
// Thread-safety: the owning media thread only.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>

#include "absl/status/statusor.h"
#include "lib/media/audio/audio_frame.h"
#include "lib/media/codec/audio_codec.h"
#include "lib/media/dtmf/dtmf_digit.h"
#include "lib/media/rtp/jitter_buffer.h"
#include "lib/media/rtp/rtp_header.h"
#include "lib/media/srtp/srtp_session.h"
#include "pbx/base/time_source.h"
#include "pbx/media/media_types.h"

namespace pbx::media::internal {

class SideStream {
 public:
  // Room for one packet we send: RTP header, the largest payload, and the SRTP tag.
  static constexpr size_t kMaxPacket = 12 + kMaxPayloadBytes + SrtpSession::kMaxOverhead;
  // A received packet larger than this is dropped (the relay reads at most 2048 bytes).
  static constexpr size_t kMaxReceived = 2048;

  static absl::StatusOr<std::unique_ptr<SideStream>> Create(const StreamFormat& format,
                                                            uint32_t ssrc);
  ~SideStream();

  const StreamFormat& format() const { return format_; }

  // A packet from the phone, as it arrived (SRTP: still protected). Drops what does not parse
  // or authenticate.
  void receive(const uint8_t* data, size_t size, MonotonicTime now);
  // This tick's 20 ms of what the phone said, or null while it has sent no audio yet.
  const AudioFrame* pull(MonotonicTime now);
  // The digits the phone sent as RFC 4733 events since the last call, each once.
  DtmfEvents takeDigits(MonotonicTime now);

  // One tick of what the phone hears, as a packet: the frame encoded, or an RFC 4733 event
  // packet while a digit is being sent, protected when the leg is SRTP. `packet` holds
  // kMaxPacket bytes. Returns the packet's size (0: nothing to send).
  size_t packetize(const AudioFrame& frame, uint8_t* packet);
  // Queues a digit to send as RFC 4733 events (the format must have telephone-event).
  void sendDigit(const media::DtmfDigit& digit);
  bool sendingDigit() const;

  // What SRTP did on this stream (all zero for plain RTP); a packet too large to unprotect
  // counts as malformed.
  SrtpSession::Stats srtpStats() const;

 private:
  struct Parts;
  SideStream(const StreamFormat& format, uint32_t ssrc, std::unique_ptr<Parts> parts);
  void deliver(const RtpView& packet, MonotonicTime now);

  const StreamFormat format_;
  std::unique_ptr<Parts> parts_;
  RtpHeader sent_;
  bool received_ = false;  // audio arrived at least once
  AudioFrame frame_;
  // Decoded samples not yet pulled (a packet longer than 20 ms spans several ticks).
  std::array<int16_t, kMaxDecodedSamples> pending_{};
  size_t pendingCount_ = 0;
};

// The jitter buffer a stream of `format` gets (`step`: its RTP units per 20 ms).
JitterBuffer::Options JitterOptionsFor(const StreamFormat& format, uint32_t step);

// The codec settings a StreamFormat's fmtp asks for.
CodecParams ParamsFor(const StreamFormat& format);

}  // namespace pbx::media::internal
