// RFC 4733 telephone-events for DTMF: a receiver that turns a leg's telephone-event RTP packets
// into key presses, reported exactly once, and a sender that turns queued key presses into the
// packet train RFC 4733 prescribes, one packet per 20 ms tick.
//
//   auto receiver = Rfc4733Receiver::Create(8000);            // the telephone-event clock
//   DtmfEvents events = (*receiver)->onPacket(view.header, view.payload, view.payloadSize, now);
//   for (const DtmfDigit& digit : events.completed()) Deliver(digit);
//   events = (*receiver)->onTick(now);                          // every tick: lost ends time out
//
//   auto sender = Rfc4733Sender::Create(8000);
//   (*sender)->send('5', std::chrono::milliseconds(100));
//   // every 20 ms tick, with the timestamp the leg's audio would carry now:
//   if (auto packet = (*sender)->nextPacket(audioTimestamp)) Send(*packet);  // instead of audio
//
// An event is identified by its RTP timestamp (the moment the key went down), so the receiver
// survives every loss RFC 4733 anticipates: the start (the first packet seen mid-event still
// starts the digit), the three end copies (the event closes when the next event's timestamp
// arrives or after kEndTimeout without packets, with the last duration seen), duplicates and
// reordering (packets of an event already reported, or older than it, are ignored), and long
// presses split into segments when the 16-bit duration would overflow.
//
// Thread-safety: each object is one stream's state, used by one thread (the media thread).
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/media/dtmf/dtmf_digit.h"
#include "lib/media/rtp/rtp_header.h"
#include "pbx/base/time_source.h"

namespace pbx::media::internal {

inline constexpr size_t kRfc4733PayloadSize = 4;

struct Rfc4733ReceiverCounters {
  uint64_t packets = 0;        // telephone-event packets that updated or started an event
  uint64_t malformed = 0;      // shorter than the 4-byte event payload: dropped
  uint64_t unknownEvents = 0;  // event codes above 15 (flash, modem tones): not DTMF, ignored
  uint64_t ignored = 0;        // repeats of a reported event (the end copies) or older packets
  uint64_t lostEnds = 0;       // events closed by the next event or by the timeout
};

class Rfc4733Receiver {
 public:
  // Without a packet for this long, an event whose end packets were all lost is reported.
  static constexpr std::chrono::milliseconds kEndTimeout{300};

  // clockRate: the telephone-event clock negotiated in SDP (8000, 16000, 48000 Hz).
  static absl::StatusOr<std::unique_ptr<Rfc4733Receiver>> Create(int clockRate);

  // Feeds one telephone-event packet (payload after the RTP header).
  DtmfEvents onPacket(const RtpHeader& header, const uint8_t* payload, size_t size,
                      MonotonicTime now);
  // Call every tick: closes an event whose end was lost once kEndTimeout has passed.
  DtmfEvents onTick(MonotonicTime now);

  bool inEvent() const { return inEvent_; }
  const Rfc4733ReceiverCounters& counters() const { return counters_; }

 private:
  explicit Rfc4733Receiver(int clockRate) : clockRate_(clockRate) {}

  void startEvent(uint32_t timestamp, int event, uint16_t duration, uint8_t volume,
                  DtmfEvents& events);
  bool continuesEvent(uint32_t timestamp, int event, bool marker) const;
  DtmfDigit finishEvent();

  const int clockRate_;
  Rfc4733ReceiverCounters counters_;
  bool haveSsrc_ = false;
  uint32_t ssrc_ = 0;
  // The newest event timestamp seen; packets at or before it belong to reported events.
  bool haveLatest_ = false;
  uint32_t latestTimestamp_ = 0;
  MonotonicTime lastPacket_{};

  bool inEvent_ = false;
  int event_ = 0;
  uint32_t segmentTimestamp_ = 0;  // timestamp of the current segment of the event
  uint64_t earlierSegments_ = 0;   // duration of the segments before it, in clock units
  uint16_t duration_ = 0;          // the longest duration seen in the current segment
  uint8_t volume_ = 0;
};

// One telephone-event packet to send in place of the tick's audio.
struct Rfc4733Packet {
  std::array<uint8_t, kRfc4733PayloadSize> payload{};
  uint32_t timestamp = 0;  // the event's (or segment's) start, in the audio clock
  bool marker = false;     // the first packet of an event
  bool end = false;        // one of the three end packets
};

class Rfc4733Sender {
 public:
  static constexpr size_t kQueueCapacity = 32;
  static constexpr std::chrono::milliseconds kMinDuration{40};
  static constexpr std::chrono::milliseconds kMaxDuration{60000};
  static constexpr int kEndCopies = 3;
  // Silent ticks between the last end copy and the next digit's first packet.
  static constexpr int kGapTicks = 2;

  // clockRate: the audio (and telephone-event) RTP clock: 8000 for G.711/G.722, 48000 for Opus.
  static absl::StatusOr<std::unique_ptr<Rfc4733Sender>> Create(int clockRate);

  // Queues a key press; the duration is clamped to [kMinDuration, kMaxDuration] and the volume
  // (-dBm0) to 63. InvalidArgument for a character that is not a key, ResourceExhausted when
  // kQueueCapacity presses are already waiting.
  absl::Status send(char digit, std::chrono::milliseconds duration,
                    uint8_t volume = kDefaultDtmfVolume);
  // Call every 20 ms tick with the RTP timestamp this tick's audio would carry. A packet means
  // the leg's audio is suppressed for this tick; nullopt means audio flows.
  std::optional<Rfc4733Packet> nextPacket(uint32_t audioTimestamp);
  // Nothing queued and nothing being sent.
  bool idle() const { return phase_ == Phase::kIdle && queued_ == 0; }
  // Drops the queued presses; one being sent finishes with its end packets.
  void clearQueue() { queued_ = 0; }

 private:
  enum class Phase { kIdle, kTone, kEnd, kGap };
  struct Press {
    uint8_t event = 0;
    uint8_t volume = 0;
    uint32_t duration = 0;  // clock units
  };

  explicit Rfc4733Sender(int clockRate) : clockRate_(clockRate), step_(clockRate / 50) {}
  Rfc4733Packet packet(bool marker, bool end) const;

  const int clockRate_;
  const uint32_t step_;  // clock units per 20 ms
  std::array<Press, kQueueCapacity> queue_{};
  size_t head_ = 0;
  size_t queued_ = 0;

  Phase phase_ = Phase::kIdle;
  Press current_;
  uint32_t startTimestamp_ = 0;
  uint32_t segmentOffset_ = 0;  // where the current segment starts, from the event's start
  uint32_t elapsed_ = 0;        // clock units covered so far
  int ticksInPhase_ = 0;
};

}  // namespace pbx::media::internal
