// The playout half of JitterBuffer (see jitter_buffer.h): starting the stream, giving up
// missing packets, growing and shrinking the delay, and choosing what each tick returns.
#include "lib/media/rtp/jitter_buffer.h"

#include <algorithm>

namespace pbx::media::internal {

bool JitterBuffer::tryStart(int64_t now) {
  // Skip marks and gaps before the first packet are not part of the stream yet.
  for (size_t guard = 0; guard <= capacity_; ++guard) {
    Slot& slot = slotFor(nextSeq_);
    if (slot.seq == nextSeq_ && !slot.skipped) break;
    if (slot.seq == nextSeq_) {
      consumed(nextSeq_);
      release(slot);
      ++nextSeq_;
      continue;
    }
    const int64_t later = laterHeld(nextSeq_);
    if (later < 0) return false;
    nextSeq_ = later;
  }
  const Slot* head = audio(nextSeq_);
  if (head == nullptr || now - head->ts - minTransit_ < target_) return false;
  started_ = true;
  cursor_ = lastTs_ = head->ts - frameStep_;
  lastDur_ = frameStep_;
  excessTicks_ = 0;
  return true;
}

void JitterBuffer::normalize(int64_t x) {
  for (size_t guard = 0; guard <= capacity_; ++guard) {
    Slot& slot = slotFor(nextSeq_);
    if (slot.seq == nextSeq_) {
      if (!slot.skipped) return;
      consumed(nextSeq_);
      release(slot);
      ++nextSeq_;
      continue;
    }
    const int64_t later = laterHeld(nextSeq_);
    if (later < 0) return;  // nothing after it: loss or silence, not known yet
    const Slot& next = slotFor(later);
    const bool laterDue = !next.skipped && next.ts - half_ <= x;
    while (nextSeq_ < later) {
      const int64_t expected = expectedTs(later);
      if (!laterDue && expected + step_ - half_ > x) return;  // its span is still playing
      ++stats_.lost;
      lastTs_ = expected;
      lastDur_ = step_;
      ++nextSeq_;
    }
  }
}

int64_t JitterBuffer::expectedTs(int64_t later) const {
  const int64_t afterLast = lastTs_ + lastDur_;
  const Slot* next = later >= 0 ? audio(later) : nullptr;
  if (next == nullptr) return afterLast;
  // Missing packets lie just before the next one held: after a silence, the first packets of
  // the talkspurt are due with it, not right after the packet before the silence.
  return std::max(afterLast, next->ts - (later - nextSeq_) * step_);
}

bool JitterBuffer::silentAt(int64_t x) const {
  if (inRemainder(x)) return false;
  int64_t seq = nextSeq_;
  while (seq - nextSeq_ < capacity() && held(seq) != nullptr && held(seq)->skipped) ++seq;
  if (const Slot* head = audio(seq)) return head->ts > x + half_;
  if (laterHeld(seq) >= 0) return false;
  return x >= lastTs_ + lastDur_ + step_ - half_;
}

bool JitterBuffer::shrinkInSpeech(int64_t projected, int64_t& x) {
  const Slot* head = audio(nextSeq_);
  if (head == nullptr || head->ts > x + half_ || audio(nextSeq_ + 1) == nullptr) return false;
  const int64_t d = duration(*head);
  const int64_t frames = std::max<int64_t>(1, (d + half_) / frameStep_);
  if (projected - target_ < frames * frameStep_) return false;
  lastTs_ = head->ts;
  lastDur_ = d;
  consumed(nextSeq_);
  release(slotFor(nextSeq_));
  ++nextSeq_;
  stats_.dropped += static_cast<uint64_t>(frames);
  x += frames * frameStep_;
  normalize(x);
  return true;
}

JitterBuffer::Pop JitterBuffer::evaluate(int64_t x) {
  Pop out;
  cursor_ = x;
  if (Slot* head = const_cast<Slot*>(audio(nextSeq_))) {
    if (head->ts > x + half_) return out;  // silence, or a longer packet still playing
    if (prevPlayedSeq_ == nextSeq_ - 1 && !head->header.marker) {
      learnStep(head->ts - prevPlayedTs_);
    }
    const int64_t d = duration(*head);
    const size_t index = static_cast<size_t>(head->seq % capacity());
    out.kind = Pop::kPacket;
    out.payload = &payloads_[index * maxPayload_];
    out.size = head->size;
    out.header = head->header;
    out.frames = static_cast<int>(std::max<int64_t>(1, (d + half_) / frameStep_));
    prevPlayedSeq_ = nextSeq_;
    prevPlayedTs_ = head->ts;
    lastTs_ = cursor_ = head->ts;
    lastDur_ = d;
    consumed(nextSeq_);
    release(*head);
    ++nextSeq_;
    return out;
  }
  const int64_t later = laterHeld(nextSeq_);
  const int64_t expected = expectedTs(later);
  // The last packet still covers this tick, or (with a later packet held) a silence before it.
  if (expected > x + half_) return out;
  if (later >= 0 || x < expected + step_ - half_) {
    out.kind = Pop::kMissing;
    ++stats_.concealed;
  }
  return out;
}

JitterBuffer::Pop JitterBuffer::pop(MonotonicTime now) {
  if (!haveStream_) return Pop{};
  if (started_ && now - lastPop_ > kPauseLimit) {
    ++stats_.resets;
    clear();
    return Pop{};
  }
  if (!started_ || now > lastPop_) lastPop_ = now;
  const int64_t nowUnits = units(lastPop_);
  if (!started_ && !tryStart(nowUnits)) return Pop{};

  int64_t x = cursor_ + frameStep_;
  normalize(x);
  const int64_t projected = nowUnits - x - minTransit_;
  if (adaptive_) {
    if (projected < target_ && !inRemainder(x)) {
      // Grow: this tick does not advance the stream.
      ++stats_.inserted;
      stats_.delayMs = ms(nowUnits - cursor_ - minTransit_);
      if (silentAt(x)) return Pop{};
      ++stats_.concealed;
      Pop missing;
      missing.kind = Pop::kMissing;
      return missing;
    }
    if (projected - target_ >= frameStep_) {
      if (silentAt(x) && silentAt(x + frameStep_)) {
        x += frameStep_;
        ++stats_.dropped;
      } else if (++excessTicks_ >= kShrinkHold && shrinkInSpeech(projected, x)) {
        excessTicks_ = 0;
      }
    } else {
      excessTicks_ = 0;
    }
  }
  Pop out = evaluate(x);
  stats_.delayMs = ms(nowUnits - cursor_ - minTransit_);
  return out;
}

}  // namespace pbx::media::internal
