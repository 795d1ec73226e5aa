#include "lib/media/terminated/side_stream.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/media/codec/codec_catalog.h"
#include "lib/media/dtmf/rfc4733.h"
#include "lib/media/rtp/jitter_buffer.h"
#include "lib/media/srtp/sdes.h"

namespace pbx::media::internal {
namespace {

constexpr uint8_t kComfortNoise = 13;  // RFC 3389
constexpr size_t kJitterSlots = 16;
constexpr size_t kNarrowPayloadBytes = 8 * 60;  // 64 kbit/s for 60 ms

// Errors name the suite and which key is wrong, never the key.
absl::StatusOr<std::unique_ptr<SrtpSession>> CreateSrtp(const SrtpKeys& keys) {
  const std::optional<SrtpSuite> suite = SuiteFromName(keys.suite);
  if (!suite) return absl::InvalidArgumentError(absl::StrCat("unknown SRTP suite ", keys.suite));
  CryptoAttribute local, remote;
  local.suite = remote.suite = *suite;
  local.keySaltBase64 = keys.localKey;
  remote.keySaltBase64 = keys.remoteKey;
  auto tx = local.DecodeKeySalt();
  if (!tx.ok())
    return absl::InvalidArgumentError(absl::StrCat("our SRTP key: ", tx.status().message()));
  auto rx = remote.DecodeKeySalt();
  if (!rx.ok())
    return absl::InvalidArgumentError(
        absl::StrCat("the phone's SRTP key: ", rx.status().message()));
  return SrtpSession::Create(*suite, *tx, *rx);
}

}  // namespace

struct SideStream::Parts {
  AudioEncoderPtr encoder;
  AudioDecoderPtr decoder;
  std::unique_ptr<JitterBuffer> jitter;
  std::unique_ptr<Rfc4733Receiver> events;  // null without telephone-event
  std::unique_ptr<Rfc4733Sender> digits;
  DtmfEvents received;                // digits not taken yet
  std::unique_ptr<SrtpSession> srtp;  // null for plain RTP
  // SRTP unprotects in place, and a received packet is the relay's (const): it is copied here.
  std::array<uint8_t, kMaxReceived> unprotected{};
  uint64_t oversized = 0;
};

JitterBuffer::Options JitterOptionsFor(const StreamFormat& format, uint32_t step) {
  // Sized for the stream, not the buffer's defaults (64 slots of 1500 bytes, 96 KiB a side):
  // 16 slots hold 320 ms, above the 200 ms maximum delay; a 64 kbit/s codec's packets of up to
  // 60 ms fit in 480 bytes, and an Opus packet in 1500. A call's media then stays within the
  // memory aim of docs/benchmarks.md ("Transcoding").
  JitterBuffer::Options jitter;
  jitter.clockRate = static_cast<int>(step) * 50;
  jitter.frameStep = step;
  jitter.capacity = kJitterSlots;
  jitter.maxPayload =
      absl::EqualsIgnoreCase(format.codec, "opus") ? kMaxPayloadBytes : kNarrowPayloadBytes;
  return jitter;
}

CodecParams ParamsFor(const StreamFormat& format) {
  CodecParams params;
  params.name = format.codec;
  if (absl::EqualsIgnoreCase(format.codec, "opus")) ParseOpusFmtp(format.fmtp, params);
  return params;
}

absl::StatusOr<std::unique_ptr<SideStream>> SideStream::Create(const StreamFormat& format,
                                                               uint32_t ssrc) {
  auto parts = std::make_unique<Parts>();
  const CodecParams params = ParamsFor(format);
  auto encoder = CreateEncoder(params);
  if (!encoder.ok()) return encoder.status();
  auto decoder = CreateDecoder(params);
  if (!decoder.ok()) return decoder.status();
  parts->encoder = std::move(*encoder);
  parts->decoder = std::move(*decoder);
  // The stream's RTP clock: one 20 ms frame is timestampStep() units.
  const uint32_t step = parts->encoder->timestampStep();
  const int clockRate = static_cast<int>(step) * 50;
  auto buffer = JitterBuffer::Create(JitterOptionsFor(format, step));
  if (!buffer.ok()) return buffer.status();
  parts->jitter = std::move(*buffer);
  if (format.telephoneEvent >= 0) {
    auto receiver = Rfc4733Receiver::Create(clockRate);
    if (!receiver.ok()) return receiver.status();
    auto sender = Rfc4733Sender::Create(clockRate);
    if (!sender.ok()) return sender.status();
    parts->events = std::move(*receiver);
    parts->digits = std::move(*sender);
  }
  if (format.srtp) {
    auto srtp = CreateSrtp(*format.srtp);
    if (!srtp.ok()) return srtp.status();
    parts->srtp = std::move(*srtp);
  }
  return std::unique_ptr<SideStream>(new SideStream(format, ssrc, std::move(parts)));
}

SideStream::SideStream(const StreamFormat& format, uint32_t ssrc, std::unique_ptr<Parts> parts)
    : format_(format), parts_(std::move(parts)) {
  sent_.ssrc = ssrc;
  sent_.payloadType = static_cast<uint8_t>(format.payloadType & 0x7f);
  sent_.sequence = static_cast<uint16_t>(ssrc >> 16);
  sent_.timestamp = ssrc * 2654435761u;  // any start will do; RFC 3550 asks for a random one
  sent_.marker = true;
}

SideStream::~SideStream() = default;

void SideStream::receive(const uint8_t* data, size_t size, MonotonicTime now) {
  if (!parts_->srtp) {
    if (auto packet = ParseRtp(data, size)) deliver(*packet, now);
    return;
  }
  if (size > parts_->unprotected.size()) {
    ++parts_->oversized;
    return;
  }
  uint8_t* buffer = parts_->unprotected.data();
  std::memcpy(buffer, data, size);
  if (!parts_->srtp->unprotect(buffer, size)) return;  // counted by the session
  if (auto packet = ParseRtp(buffer, size)) deliver(*packet, now);
}

void SideStream::deliver(const RtpView& packet, MonotonicTime now) {
  const int type = packet.header.payloadType;
  if (type == format_.telephoneEvent && parts_->events) {
    DtmfEvents events =
        parts_->events->onPacket(packet.header, packet.payload, packet.payloadSize, now);
    for (const DtmfDigit& digit : events.completed()) parts_->received.add(digit);
    parts_->jitter->skip(packet.header);
    return;
  }
  if (type == kComfortNoise) {
    parts_->jitter->skip(packet.header);
    return;
  }
  parts_->jitter->push(packet.header, packet.payload, packet.payloadSize, now);
}

DtmfEvents SideStream::takeDigits(MonotonicTime now) {
  if (parts_->events) {
    DtmfEvents late = parts_->events->onTick(now);
    for (const DtmfDigit& digit : late.completed()) parts_->received.add(digit);
  }
  return std::exchange(parts_->received, DtmfEvents{});
}

const AudioFrame* SideStream::pull(MonotonicTime now) {
  // The buffer's cursor moves one frame per pop, so it is asked every tick, even while a
  // packet longer than 20 ms still has audio left here.
  JitterBuffer::Pop pop = parts_->jitter->pop(now);
  bool missing = pop.kind == JitterBuffer::Pop::kMissing;
  if (pop.kind == JitterBuffer::Pop::kPacket) {
    const int decoded = parts_->decoder->decode(
        pop.payload, pop.size, pending_.data() + pendingCount_, pending_.size() - pendingCount_);
    if (decoded > 0) {
      pendingCount_ += static_cast<size_t>(decoded);
      received_ = true;
    } else {
      missing = true;  // undecodable: as good as lost
    }
  }
  if (pendingCount_ == 0) {
    if (!missing || !received_) return nullptr;  // silence (DTX), or nothing arrived yet
    parts_->decoder->conceal(frame_);
    return &frame_;
  }
  const size_t take = std::min(pendingCount_, kFrameSamples);
  std::copy_n(pending_.begin(), take, frame_.samples.begin());
  std::fill(frame_.samples.begin() + static_cast<ptrdiff_t>(take), frame_.samples.end(), 0);
  std::copy(pending_.begin() + static_cast<ptrdiff_t>(take),
            pending_.begin() + static_cast<ptrdiff_t>(pendingCount_), pending_.begin());
  pendingCount_ -= take;
  return &frame_;
}

void SideStream::sendDigit(const media::DtmfDigit& digit) {
  if (parts_->digits) parts_->digits->send(digit.digit, digit.duration).IgnoreError();
}

bool SideStream::sendingDigit() const { return parts_->digits && !parts_->digits->idle(); }

size_t SideStream::packetize(const AudioFrame& frame, uint8_t* packet) {
  const uint32_t step = parts_->encoder->timestampStep();
  size_t size = 0;
  if (parts_->digits) {
    if (auto event = parts_->digits->nextPacket(sent_.timestamp)) {
      RtpHeader header = sent_;
      header.payloadType = static_cast<uint8_t>(format_.telephoneEvent & 0x7f);
      header.marker = event->marker;
      header.timestamp = event->timestamp;
      size = WriteRtpHeader(header, packet);
      std::memcpy(packet + size, event->payload.data(), event->payload.size());
      size += event->payload.size();
    }
  }
  if (size == 0) {
    const size_t payload = parts_->encoder->encode(frame, packet + 12, kMaxPayloadBytes);
    if (payload != 0) {
      size = WriteRtpHeader(sent_, packet) + payload;
      sent_.marker = false;
    }
  }
  if (size != 0) ++sent_.sequence;
  sent_.timestamp += step;
  // A packet that cannot be protected is not sent: it counts as a protect failure, and the
  // phone sees a lost packet.
  if (size != 0 && parts_->srtp && !parts_->srtp->protect(packet, size, kMaxPacket)) size = 0;
  return size;
}

SrtpSession::Stats SideStream::srtpStats() const {
  if (!parts_->srtp) return {};
  SrtpSession::Stats stats = parts_->srtp->stats();
  stats.malformed += parts_->oversized;
  return stats;
}

}  // namespace pbx::media::internal
