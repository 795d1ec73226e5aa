#include "lib/media/rtp/jitter_buffer.h"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "absl/status/status.h"

namespace pbx::media::internal {
namespace {

// Extended sequence numbers and timestamps start well above zero, so reordering before the
// first packet never makes them negative (slot indexes are taken modulo the capacity).
constexpr int64_t kSeqBase = int64_t{1} << 20;
constexpr int64_t kTsBase = int64_t{1} << 40;

}  // namespace

absl::StatusOr<JitterBufferPtr> JitterBuffer::Create(const Options& options) {
  using std::chrono::milliseconds;
  if (options.clockRate < 1000 || options.clockRate > 192000) {
    return absl::InvalidArgumentError("jitter buffer: clockRate must be 1000..192000");
  }
  if (static_cast<int64_t>(options.frameStep) * 50 != options.clockRate) {
    return absl::InvalidArgumentError("jitter buffer: frameStep must be clockRate / 50 (20 ms)");
  }
  if (options.minDelay < milliseconds(0) || options.maxDelay < options.minDelay ||
      options.maxDelay > milliseconds(5000)) {
    return absl::InvalidArgumentError("jitter buffer: need 0 <= minDelay <= maxDelay <= 5 s");
  }
  if (options.capacity < 4 || options.capacity > 4096 ||
      options.capacity * 20 < static_cast<size_t>(options.maxDelay.count())) {
    return absl::InvalidArgumentError(
        "jitter buffer: capacity must be 4..4096 and hold maxDelay of 20 ms packets");
  }
  if (options.maxPayload == 0 || options.maxPayload > 65536) {
    return absl::InvalidArgumentError("jitter buffer: maxPayload must be 1..65536");
  }
  return JitterBufferPtr(new JitterBuffer(options));
}

JitterBuffer::JitterBuffer(const Options& options)
    : clockRate_(options.clockRate),
      frameStep_(options.frameStep),
      half_(options.frameStep / 2),
      minDelay_(options.minDelay.count() * options.clockRate / 1000),
      maxDelay_(options.maxDelay.count() * options.clockRate / 1000),
      adaptive_(options.adaptive),
      capacity_(options.capacity),
      maxPayload_(options.maxPayload),
      slots_(options.capacity),
      payloads_(options.capacity * options.maxPayload),
      target_(minDelay_) {
  clear();
}

void JitterBuffer::clear() {
  for (Slot& slot : slots_) slot.seq = -1;
  history_.fill(-1);
  held_ = audioHeld_ = 0;
  transitCount_ = transitNext_ = 0;
  minTransit_ = spread_ = 0;
  jitter_ = 0;
  haveStream_ = started_ = probing_ = false;
  consecutiveLate_ = excessTicks_ = 0;
  prevPlayedSeq_ = -1;
  updateTarget();
  stats_.delayMs = 0;
  stats_.jitterMs = 0;
}

void JitterBuffer::startStream(const RtpHeader& header, MonotonicTime arrival) {
  clear();
  haveStream_ = true;
  ssrc_ = header.ssrc;
  epoch_ = arrival;
  seqRef_ = header.sequence;
  extSeqRef_ = kSeqBase + header.sequence;
  tsRef_ = header.timestamp;
  extTsRef_ = kTsBase + header.timestamp;
  nextSeq_ = extSeqRef_;
  step_ = lastDur_ = frameStep_;
  lastTs_ = cursor_ = extTsRef_ - frameStep_;
}

JitterBuffer::PushResult JitterBuffer::begin(const RtpHeader& header, const uint8_t* payload,
                                             size_t size, MonotonicTime arrival,
                                             PushResult result) {
  if (result == PushResult::kReset) ++stats_.resets;
  startStream(header, arrival);
  noteTransit(units(arrival) - extTsRef_);
  store(header, extSeqRef_, extTsRef_, payload, size);
  return result;
}

JitterBuffer::PushResult JitterBuffer::push(const RtpHeader& header, const uint8_t* payload,
                                            size_t size, MonotonicTime arrival) {
  ++stats_.received;
  if (size > maxPayload_ || (payload == nullptr && size > 0)) {
    ++stats_.tooLarge;
    return PushResult::kTooLarge;
  }
  if (!haveStream_) return begin(header, payload, size, arrival, PushResult::kStored);
  if (header.ssrc != ssrc_) return begin(header, payload, size, arrival, PushResult::kReset);

  const int64_t seq = unwrapSeq(header.sequence);
  const int64_t ts = unwrapTs(header.timestamp);
  const int64_t transit = units(arrival) - ts;
  if (outOfRange(seq, transit)) {
    // A sender that restarted continues from its new numbers; a stray packet does not.
    if (probing_ && header.sequence == static_cast<uint16_t>(probe_.sequence + 1)) {
      return begin(header, payload, size, arrival, PushResult::kReset);
    }
    probing_ = true;
    probe_ = header;
    ++stats_.outOfRange;
    return PushResult::kOutOfRange;
  }
  probing_ = false;

  if (wasConsumed(seq) || held(seq) != nullptr) {
    ++stats_.duplicates;
    return PushResult::kDuplicate;
  }
  noteTransit(transit);
  advanceRefs(header, seq, ts);
  const bool fitsBeforeStart = !started_ && seq < nextSeq_ && highestHeld() - seq < capacity();
  if ((seq < nextSeq_ && !fitsBeforeStart) || (started_ && ts - cursor_ < half_)) {
    late(seq, ts);
    if (++consecutiveLate_ >= kMaxConsecutiveLate) {
      return begin(header, payload, size, arrival, PushResult::kReset);
    }
    return PushResult::kLate;
  }
  consecutiveLate_ = 0;
  if (fitsBeforeStart) nextSeq_ = seq;

  const int64_t ahead = seq - nextSeq_;
  if (ahead >= capacity()) {
    if (audioHeld_ > 0) {
      ++stats_.overflow;
      return PushResult::kOverflow;
    }
    // Nothing left to play before it: everything in between is gone (a long loss burst).
    for (Slot& slot : slots_) {
      if (slot.seq >= 0) release(slot);
    }
    if (started_) stats_.lost += static_cast<uint64_t>(ahead);
    nextSeq_ = seq;
  }
  store(header, seq, ts, payload, size);
  return PushResult::kStored;
}

void JitterBuffer::skip(const RtpHeader& header) {
  if (!haveStream_ || header.ssrc != ssrc_) return;
  const int64_t seq = unwrapSeq(header.sequence);
  if (seq < nextSeq_ || seq - nextSeq_ >= capacity() || held(seq) != nullptr) return;
  Slot& slot = slotFor(seq);
  slot.seq = seq;
  slot.skipped = true;
  ++held_;
  if (seq > extSeqRef_) {
    extSeqRef_ = seq;
    seqRef_ = header.sequence;
  }
}

bool JitterBuffer::outOfRange(int64_t seq, int64_t transit) const {
  const int64_t ahead = seq - nextSeq_;
  if (ahead >= kMaxDropout || ahead < -kMaxMisorder) return true;
  if (transitCount_ == 0) return false;
  const int64_t limit = kJump.count() * clockRate_;
  const int64_t deviation = transit - minTransit_;
  return deviation > limit || deviation < -limit;
}

void JitterBuffer::late(int64_t seq, int64_t ts) {
  ++stats_.late;
  consumed(seq);
  if (seq == nextSeq_) {
    ++nextSeq_;
    lastTs_ = ts;
    lastDur_ = step_;
  } else if (seq > nextSeq_ && seq - nextSeq_ < capacity()) {
    // Held as a skip mark, so the gap it leaves is not counted lost as well.
    Slot& slot = slotFor(seq);
    slot.seq = seq;
    slot.skipped = true;
    ++held_;
  }
}

void JitterBuffer::store(const RtpHeader& header, int64_t seq, int64_t ts, const uint8_t* payload,
                         size_t size) {
  const size_t index = static_cast<size_t>(seq % capacity());
  Slot& slot = slots_[index];
  if (slot.seq >= 0) release(slot);  // cannot happen: held packets stay within the window
  slot.seq = seq;
  slot.ts = ts;
  slot.skipped = false;
  slot.header = header;
  slot.size = size;
  if (size > 0) std::memcpy(&payloads_[index * maxPayload_], payload, size);
  ++held_;
  ++audioHeld_;
  if (const Slot* before = audio(seq - 1); before != nullptr && !header.marker) {
    learnStep(ts - before->ts);
  }
  if (const Slot* after = audio(seq + 1); after != nullptr && !after->header.marker) {
    learnStep(after->ts - ts);
  }
}

void JitterBuffer::advanceRefs(const RtpHeader& header, int64_t seq, int64_t ts) {
  if (seq > extSeqRef_) {
    extSeqRef_ = seq;
    seqRef_ = header.sequence;
  }
  if (ts > extTsRef_) {
    extTsRef_ = ts;
    tsRef_ = header.timestamp;
  }
}

void JitterBuffer::noteTransit(int64_t transit) {
  if (transitCount_ > 0) {
    const double d = std::abs(static_cast<double>(transit - lastTransit_));
    jitter_ += (d - jitter_) / 16;
  }
  lastTransit_ = transit;
  transits_[transitNext_] = transit;
  transitNext_ = (transitNext_ + 1) % kWindow;
  transitCount_ = std::min(transitCount_ + 1, kWindow);
  const auto [low, high] =
      std::minmax_element(transits_.begin(), transits_.begin() + transitCount_);
  minTransit_ = *low;
  spread_ = *high - *low;
  updateTarget();
  stats_.jitterMs = jitter_ * 1000 / clockRate_;
}

void JitterBuffer::updateTarget() {
  const int64_t margin = kMargin.count() * clockRate_ / 1000;
  target_ = adaptive_ ? std::clamp(spread_ + margin, minDelay_, maxDelay_) : minDelay_;
  stats_.targetDelayMs = ms(target_);
}

const JitterBuffer::Slot* JitterBuffer::held(int64_t seq) const {
  if (seq < 0) return nullptr;
  const Slot& slot = slots_[static_cast<size_t>(seq % capacity())];
  return slot.seq == seq ? &slot : nullptr;
}

const JitterBuffer::Slot* JitterBuffer::audio(int64_t seq) const {
  const Slot* slot = held(seq);
  return slot != nullptr && !slot->skipped ? slot : nullptr;
}

int64_t JitterBuffer::laterHeld(int64_t after) const {
  int64_t best = -1;
  for (const Slot& slot : slots_) {
    if (slot.seq > after && (best < 0 || slot.seq < best)) best = slot.seq;
  }
  return best;
}

int64_t JitterBuffer::highestHeld() const {
  int64_t best = nextSeq_;
  for (const Slot& slot : slots_) best = std::max(best, slot.seq);
  return best;
}

void JitterBuffer::release(Slot& slot) {
  --held_;
  if (!slot.skipped) --audioHeld_;
  slot.seq = -1;
}

int64_t JitterBuffer::unwrapSeq(uint16_t seq) const {
  return extSeqRef_ + static_cast<int16_t>(static_cast<uint16_t>(seq - seqRef_));
}

int64_t JitterBuffer::unwrapTs(uint32_t ts) const {
  return extTsRef_ + static_cast<int32_t>(ts - tsRef_);
}

int64_t JitterBuffer::units(MonotonicTime t) const {
  constexpr int64_t kLimit = int64_t{1} << 40;  // 12 days of microseconds
  const int64_t us = std::chrono::duration_cast<std::chrono::microseconds>(t - epoch_).count();
  return std::clamp(us, -kLimit, kLimit) * clockRate_ / 1000000;
}

int JitterBuffer::ms(int64_t units) const {
  return static_cast<int>(std::clamp<int64_t>(units * 1000 / clockRate_, INT_MIN, INT_MAX));
}

int64_t JitterBuffer::duration(const Slot& slot) const {
  const Slot* next = audio(slot.seq + 1);
  if (next == nullptr || next->header.marker) return step_;
  const int64_t diff = next->ts - slot.ts;
  return diff >= frameStep_ / 4 && diff <= 6 * frameStep_ ? diff : step_;
}

void JitterBuffer::learnStep(int64_t diff) {
  // A longer step is a silence between packets, not their duration.
  if (diff >= frameStep_ / 4 && diff <= 6 * frameStep_) step_ = diff;
}

}  // namespace pbx::media::internal
