#include "lib/media/dtmf/rfc4733.h"

#include <algorithm>

namespace pbx::media::internal {
namespace {

constexpr uint16_t kMaxSegmentDuration = 0xffff;
// After this long without packets the remembered timestamp no longer orders new events: the
// sender's clock may have wrapped or restarted, and no duplicate arrives that late.
constexpr std::chrono::seconds kForgetAfter{5};

bool TimestampAfter(uint32_t a, uint32_t b) { return a != b && (a - b) < 0x80000000u; }

bool ValidClockRate(int clockRate) {
  // A multiple of 50 so that 20 ms is a whole number of clock units.
  return clockRate >= 8000 && clockRate <= 96000 && clockRate % 50 == 0;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Rfc4733Receiver>> Rfc4733Receiver::Create(int clockRate) {
  if (!ValidClockRate(clockRate)) {
    return absl::InvalidArgumentError("telephone-event clock rate must be 8000..96000 Hz");
  }
  return std::unique_ptr<Rfc4733Receiver>(new Rfc4733Receiver(clockRate));
}

DtmfEvents Rfc4733Receiver::onPacket(const RtpHeader& header, const uint8_t* payload, size_t size,
                                     MonotonicTime now) {
  DtmfEvents events;
  if (payload == nullptr || size < kRfc4733PayloadSize) {
    ++counters_.malformed;
    return events;
  }
  const int event = payload[0];
  const bool end = (payload[1] & 0x80) != 0;
  const uint8_t volume = payload[1] & 0x3f;
  const uint16_t duration = static_cast<uint16_t>(payload[2] << 8 | payload[3]);
  if (event > 15) {
    ++counters_.unknownEvents;
    return events;
  }

  if (haveSsrc_ && header.ssrc != ssrc_) {
    // A new stream (re-INVITE, new source): its timestamps do not order against the old ones.
    if (inEvent_) {
      ++counters_.lostEnds;
      events.add(finishEvent());
    }
    haveLatest_ = false;
  }
  haveSsrc_ = true;
  ssrc_ = header.ssrc;
  if (!inEvent_ && haveLatest_ && now - lastPacket_ > kForgetAfter) haveLatest_ = false;

  const uint32_t timestamp = header.timestamp;
  if (inEvent_) {
    if (timestamp == segmentTimestamp_) {
      if (event != event_) {
        ++counters_.ignored;
        return events;
      }
      ++counters_.packets;
      lastPacket_ = now;
      if (duration >= duration_) {
        duration_ = duration;
        volume_ = volume;
      }
      if (end) events.add(finishEvent());
      return events;
    }
    if (!TimestampAfter(timestamp, segmentTimestamp_)) {
      ++counters_.ignored;
      return events;
    }
    if (continuesEvent(timestamp, event, header.marker)) {
      ++counters_.packets;
      lastPacket_ = now;
      earlierSegments_ += timestamp - segmentTimestamp_;
      segmentTimestamp_ = latestTimestamp_ = timestamp;
      duration_ = duration;
      volume_ = volume;
      if (end) events.add(finishEvent());
      return events;
    }
    // A new event while this one never ended: its end packets were lost.
    ++counters_.lostEnds;
    events.add(finishEvent());
  } else if (haveLatest_ && !TimestampAfter(timestamp, latestTimestamp_)) {
    ++counters_.ignored;
    return events;
  }

  ++counters_.packets;
  lastPacket_ = now;
  startEvent(timestamp, event, duration, volume, events);
  if (end) events.add(finishEvent());
  return events;
}

DtmfEvents Rfc4733Receiver::onTick(MonotonicTime now) {
  DtmfEvents events;
  if (inEvent_ && now - lastPacket_ >= kEndTimeout) {
    ++counters_.lostEnds;
    events.add(finishEvent());
  }
  return events;
}

void Rfc4733Receiver::startEvent(uint32_t timestamp, int event, uint16_t duration, uint8_t volume,
                                 DtmfEvents& events) {
  inEvent_ = true;
  event_ = event;
  segmentTimestamp_ = latestTimestamp_ = timestamp;
  haveLatest_ = true;
  earlierSegments_ = 0;
  duration_ = duration;
  volume_ = volume;
  events.started = DtmfDigitForEvent(event);
}

// RFC 4733 section 2.5.1.3: a press longer than the 16-bit duration goes on as a new segment
// whose timestamp is the previous segment's plus its (saturated) duration, without a marker.
bool Rfc4733Receiver::continuesEvent(uint32_t timestamp, int event, bool marker) const {
  if (marker || event != event_) return false;
  // Updates may be lost near the end of a segment: allow 200 ms of them.
  const uint32_t slack = static_cast<uint32_t>(clockRate_ / 5);
  if (duration_ + slack < kMaxSegmentDuration) return false;
  const uint32_t delta = timestamp - segmentTimestamp_;
  return delta >= duration_ && delta <= kMaxSegmentDuration + slack;
}

DtmfDigit Rfc4733Receiver::finishEvent() {
  inEvent_ = false;
  const uint64_t units = earlierSegments_ + duration_;
  return DtmfDigit{
      .digit = *DtmfDigitForEvent(event_),
      .duration = std::chrono::milliseconds(units * 1000 / static_cast<uint64_t>(clockRate_)),
      .volume = volume_,
  };
}

absl::StatusOr<std::unique_ptr<Rfc4733Sender>> Rfc4733Sender::Create(int clockRate) {
  if (!ValidClockRate(clockRate)) {
    return absl::InvalidArgumentError("telephone-event clock rate must be 8000..96000 Hz");
  }
  return std::unique_ptr<Rfc4733Sender>(new Rfc4733Sender(clockRate));
}

absl::Status Rfc4733Sender::send(char digit, std::chrono::milliseconds duration, uint8_t volume) {
  const int event = DtmfEventForDigit(digit);
  if (event < 0) return absl::InvalidArgumentError("not a DTMF key");
  if (queued_ == kQueueCapacity) return absl::ResourceExhaustedError("DTMF queue full");
  duration = std::clamp(duration, kMinDuration, kMaxDuration);
  queue_[(head_ + queued_) % kQueueCapacity] = Press{
      .event = static_cast<uint8_t>(event),
      .volume = std::min<uint8_t>(volume, 63),
      .duration = static_cast<uint32_t>(duration.count() * clockRate_ / 1000),
  };
  ++queued_;
  return absl::OkStatus();
}

std::optional<Rfc4733Packet> Rfc4733Sender::nextPacket(uint32_t audioTimestamp) {
  switch (phase_) {
    case Phase::kGap:
      if (++ticksInPhase_ <= kGapTicks) return std::nullopt;
      phase_ = Phase::kIdle;
      [[fallthrough]];
    case Phase::kIdle:
      if (queued_ == 0) return std::nullopt;
      current_ = queue_[head_];
      head_ = (head_ + 1) % kQueueCapacity;
      --queued_;
      phase_ = Phase::kTone;
      startTimestamp_ = audioTimestamp;
      segmentOffset_ = 0;
      elapsed_ = step_;
      return packet(/*marker=*/true, /*end=*/false);
    case Phase::kTone:
      elapsed_ = std::min(elapsed_ + step_, current_.duration);
      if (elapsed_ - segmentOffset_ > kMaxSegmentDuration) segmentOffset_ += kMaxSegmentDuration;
      if (elapsed_ < current_.duration) return packet(false, false);
      phase_ = Phase::kEnd;
      ticksInPhase_ = 1;
      return packet(false, true);
    case Phase::kEnd:
      if (++ticksInPhase_ == kEndCopies) {
        phase_ = Phase::kGap;
        ticksInPhase_ = 0;
      }
      return packet(false, true);
  }
  return std::nullopt;
}

Rfc4733Packet Rfc4733Sender::packet(bool marker, bool end) const {
  const uint32_t duration = elapsed_ - segmentOffset_;
  Rfc4733Packet out;
  out.payload[0] = current_.event;
  out.payload[1] = static_cast<uint8_t>((end ? 0x80 : 0) | current_.volume);
  out.payload[2] = static_cast<uint8_t>(duration >> 8);
  out.payload[3] = static_cast<uint8_t>(duration & 0xff);
  out.timestamp = startTimestamp_ + segmentOffset_;
  out.marker = marker;
  out.end = end;
  return out;
}

}  // namespace pbx::media::internal
