// JitterBuffer: holds the RTP packets of one received audio stream that pbxkit terminates and
// hands them back in order, one 20 ms tick at a time, late enough that network jitter does not
// starve the decoder and early enough that the call does not feel delayed.
//
//   JitterBuffer::Options options{.clockRate = 8000, .frameStep = 160};
//   auto buffer = JitterBuffer::Create(options);               // StatusOr<JitterBufferPtr>
//   (*buffer)->push(view.header, view.payload, view.payloadSize, arrival);   // socket side
//   JitterBuffer::Pop out = (*buffer)->pop(now);                  // every 20 ms tick
//   switch (out.kind) {
//     case JitterBuffer::Pop::kPacket:  decode out.payload; play 20 ms, keep the rest; break;
//     case JitterBuffer::Pop::kMissing: play leftover audio if any, else conceal 20 ms; break;
//     case JitterBuffer::Pop::kEmpty:   play leftover audio if any, else silence or CN; break;
//   }
//
// Playout. The buffer keeps a cursor in the stream's timestamp units that moves one frameStep
// per pop(). A packet is due when its timestamp reaches the cursor (half a frame either side
// is tolerated, so senders whose timestamps are not on our 20 ms grid still play). The delay
// is measured against the fastest path seen: for each packet, transit = arrival - timestamp,
// and delay = now - cursor - (the least transit of the last kWindow packets). A packet whose
// transit exceeds that least one by more than the delay arrives after its tick: kLate.
//
// Packets longer than 20 ms (ptime 30/40/60) are one kPacket; the ticks they still cover come
// back as kEmpty (the timestamp of the next packet lies ahead: nothing is due), so the caller
// plays the rest of what it decoded. Pop::frames says how many ticks the buffer expects the
// packet to cover: the timestamp step to the next packet, or the last step seen, or 20 ms until
// two consecutive packets have been seen (so with a delay shorter than the packet, the second
// tick of the very first packet may come back kMissing: hence "play leftover audio first").
// Packets shorter than 20 ms (ptime 10) are not supported: one plays per tick.
//
// Loss and silence. The sequence number tells them apart. The next packet absent while a later
// one is held: confirmed loss, kMissing for each tick its timestamp span covers, then counted
// in `lost`. The next packet absent and nothing later held: loss or the start of a silence
// (DTX, VAD) cannot be told yet, so the buffer conceals the span of one packet (kMissing) and
// then reports kEmpty; when the next packet arrives in sequence, nothing is counted lost. A
// timestamp jump with no sequence gap is silence. skip() marks sequence numbers that went
// elsewhere (RFC 4733 telephone-event, RFC 3389 comfort noise) so they never count as lost.
//
// Adaptive delay. The target delay is the spread of transits over the last kWindow packets
// plus a small margin, kept within [minDelay, maxDelay]. Growing: while the delay is below
// target, a tick does not advance the cursor (kMissing in speech, kEmpty in silence), at most
// one frame per tick, so a late packet raises the delay within a few ticks. Shrinking: in
// silence a tick skips one frame whenever the delay is a frame over target; in speech one
// packet is dropped only after the excess has lasted kShrinkHold ticks, and only when the next
// packet is already held (never into a gap). adaptive = false (fax modem audio) keeps the
// delay fixed at minDelay: the cursor moves exactly one frame per tick, nothing is stretched.
//
// Restarts (kReset, counted in `resets`): an SSRC change; a sequence number or timestamp far
// from the stream's (more than kMaxDropout ahead, kMaxMisorder behind, or a timestamp kJump
// away from what its arrival time implies) confirmed by the next packet continuing it (the
// first one alone is dropped as kOutOfRange, so one stray packet cannot end a good stream);
// kMaxConsecutiveLate late packets in a row (the sender's clock or the path jumped); and a
// pop() after more than kPauseLimit without one (the leg was on hold), which empties the
// buffer. A restart keeps the statistics and starts over on the new stream.
//
// Memory: all slots and payload space are allocated in Create(); push/skip/pop never allocate.
// Thread-safety: none; one media thread owns the buffer and makes every call.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/media/rtp/rtp_header.h"
#include "pbx/base/time_source.h"

namespace pbx::media::internal {

struct JitterBufferStats {
  uint64_t received = 0;    // push() calls
  uint64_t late = 0;        // arrived after their tick (or after being given up), dropped
  uint64_t lost = 0;        // sequence numbers given up: never arrived in time
  uint64_t duplicates = 0;  // a sequence number already held or played
  uint64_t overflow = 0;    // dropped: more than capacity packets ahead of playout
  uint64_t outOfRange = 0;  // dropped: far from the stream and not (yet) confirmed
  uint64_t tooLarge = 0;    // dropped: payload over maxPayload
  uint64_t resets = 0;      // restarts on a new stream (see header comment)
  uint64_t concealed = 0;   // kMissing ticks (lost, not yet arrived, or grown delay)
  uint64_t inserted = 0;    // ticks added to grow the delay
  uint64_t dropped = 0;     // frames taken out to shrink the delay (speech or silence)
  int delayMs = 0;          // current playout delay over the fastest path; 0 before start
  int targetDelayMs = 0;    // where the adaptation steers delayMs
  double jitterMs = 0;      // RFC 3550 interarrival jitter estimate
};

class JitterBuffer;
using JitterBufferPtr = std::unique_ptr<JitterBuffer>;

class JitterBuffer {
 public:
  struct Options {
    int clockRate = 8000;      // RTP clock of the stream
    uint32_t frameStep = 160;  // timestamp units per 20 ms: clockRate / 50
    std::chrono::milliseconds minDelay{20};
    std::chrono::milliseconds maxDelay{200};
    bool adaptive = true;      // false: fixed delay of minDelay, no time stretching
    size_t capacity = 64;      // packets held at most; must cover maxDelay at 20 ms each
    size_t maxPayload = 1500;  // bytes; larger payloads are dropped (kTooLarge)
  };

  // kStored: held for playout. Dropped and counted: kLate (its tick has passed, or it was
  // given up as lost), kDuplicate, kTooLarge, kOverflow (capacity packets are held ahead of
  // it), kOutOfRange (see Restarts). kReset: the buffer restarted with this packet as the first.
  enum class PushResult { kStored, kLate, kDuplicate, kTooLarge, kOverflow, kOutOfRange, kReset };

  struct Pop {
    enum Kind { kPacket, kMissing, kEmpty };
    Kind kind = kEmpty;
    // kPacket only: valid until the next push(), skip() or pop().
    const uint8_t* payload = nullptr;
    size_t size = 0;
    RtpHeader header;
    int frames = 0;  // kPacket: 20 ms ticks the packet is expected to cover (1 for ptime 20)
  };

  static constexpr size_t kWindow = 128;           // packets in the transit statistics
  static constexpr int kMaxMisorder = 100;         // sequence numbers behind
  static constexpr int kMaxDropout = 3000;         // sequence numbers ahead
  static constexpr std::chrono::seconds kJump{3};  // timestamp vs arrival
  static constexpr int kMaxConsecutiveLate = 10;
  static constexpr int kShrinkHold = 25;  // ticks (500 ms) between drops in speech
  static constexpr std::chrono::seconds kPauseLimit{1};
  static constexpr std::chrono::milliseconds kMargin{10};

  // InvalidArgument when clockRate is not 1000..192000, frameStep * 50 != clockRate, the delays
  // are negative, reversed or over 5 s, capacity is under 4, over 4096 or below maxDelay / 20
  // ms, or maxPayload is 0 or over 65536.
  static absl::StatusOr<JitterBufferPtr> Create(const Options& options);

  // A received packet of the stream; `payload` may be null only when `size` is 0.
  PushResult push(const RtpHeader& header, const uint8_t* payload, size_t size,
                  MonotonicTime arrival);
  // A packet of this stream handled elsewhere: its sequence number is consumed, not lost.
  // Ignored for another SSRC or a sequence number the buffer cannot place.
  void skip(const RtpHeader& header);
  // Once per 20 ms tick.
  Pop pop(MonotonicTime now);

  const JitterBufferStats& stats() const { return stats_; }
  size_t size() const { return held_; }  // slots in use (packets and skip marks)
  bool started() const { return started_; }

 private:
  struct Slot {
    int64_t seq = -1;  // extended sequence number; -1 when free
    int64_t ts = 0;    // extended timestamp
    bool skipped = false;
    RtpHeader header;
    size_t size = 0;
  };

  explicit JitterBuffer(const Options& options);

  void clear();
  void startStream(const RtpHeader& header, MonotonicTime arrival);
  // Starts over on the stream of this packet, which is stored as its first; returns `result`.
  PushResult begin(const RtpHeader& header, const uint8_t* payload, size_t size,
                   MonotonicTime arrival, PushResult result);
  bool outOfRange(int64_t seq, int64_t transit) const;
  void late(int64_t seq, int64_t ts);
  void store(const RtpHeader& header, int64_t seq, int64_t ts, const uint8_t* payload, size_t size);
  void advanceRefs(const RtpHeader& header, int64_t seq, int64_t ts);
  void noteTransit(int64_t transit);
  void updateTarget();

  int64_t capacity() const { return static_cast<int64_t>(capacity_); }
  Slot& slotFor(int64_t seq) { return slots_[static_cast<size_t>(seq % capacity())]; }
  const Slot* held(int64_t seq) const;
  const Slot* audio(int64_t seq) const;
  int64_t laterHeld(int64_t after) const;  // lowest held sequence number > after, or -1
  int64_t highestHeld() const;
  void release(Slot& slot);
  void consumed(int64_t seq) { history_[static_cast<size_t>(seq) % history_.size()] = seq; }
  bool wasConsumed(int64_t seq) const {
    return history_[static_cast<size_t>(seq) % history_.size()] == seq;
  }
  int64_t unwrapSeq(uint16_t seq) const;
  int64_t unwrapTs(uint32_t ts) const;
  int64_t units(MonotonicTime t) const;
  int ms(int64_t units) const;
  int64_t duration(const Slot& slot) const;
  void learnStep(int64_t diff);

  bool tryStart(int64_t now);
  void normalize(int64_t x);
  // Timestamp of the missing packet nextSeq_, given the next held one (`later`, or -1).
  int64_t expectedTs(int64_t later) const;
  bool silentAt(int64_t x) const;
  bool inRemainder(int64_t x) const { return x < lastTs_ + lastDur_ - half_; }
  bool shrinkInSpeech(int64_t projected, int64_t& x);
  Pop evaluate(int64_t x);

  const int clockRate_;
  const int64_t frameStep_;
  const int64_t half_;
  const int64_t minDelay_;  // timestamp units
  const int64_t maxDelay_;
  const bool adaptive_;
  const size_t capacity_;
  const size_t maxPayload_;

  std::vector<Slot> slots_;
  std::vector<uint8_t> payloads_;  // capacity_ * maxPayload_
  std::array<int64_t, kWindow> transits_{};
  std::array<int64_t, 128> history_{};  // sequence numbers consumed, by seq % 128
  size_t held_ = 0;
  size_t audioHeld_ = 0;
  size_t transitCount_ = 0;
  size_t transitNext_ = 0;
  int64_t minTransit_ = 0;
  int64_t spread_ = 0;
  int64_t lastTransit_ = 0;
  double jitter_ = 0;  // timestamp units
  int64_t target_;

  bool haveStream_ = false;
  bool started_ = false;
  uint32_t ssrc_ = 0;
  MonotonicTime epoch_{};
  uint16_t seqRef_ = 0;  // highest sequence number seen, raw and extended
  int64_t extSeqRef_ = 0;
  uint32_t tsRef_ = 0;
  int64_t extTsRef_ = 0;
  bool probing_ = false;  // an out-of-range packet waiting for its successor
  RtpHeader probe_;
  int consecutiveLate_ = 0;

  int64_t nextSeq_ = 0;  // next sequence number to play
  int64_t cursor_ = 0;   // timestamp played at the last tick
  int64_t lastTs_ = 0;   // timestamp and duration of the last packet consumed or given up
  int64_t lastDur_ = 0;
  int64_t step_ = 0;  // learned packet duration
  int64_t prevPlayedSeq_ = -1;
  int64_t prevPlayedTs_ = 0;
  MonotonicTime lastPop_{};
  int excessTicks_ = 0;

  JitterBufferStats stats_;
};

}  // namespace pbx::media::internal
