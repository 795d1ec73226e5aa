// A simulated link and media thread for JitterBuffer tests: packets are queued with their
// arrival time, and run() steps a 20 ms tick clock, delivering every packet that arrived by a
// tick before popping. Time is simulated: MonotonicTime values built from milliseconds.
//
// Every payload carries its sequence number in its first two bytes, so a popped payload is
// checked against the header it came with (a slot mix-up fails the test).
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <vector>

#include "lib/media/rtp/jitter_buffer.h"

namespace pbx::media::internal::jitter_test {

using Kind = JitterBuffer::Pop::Kind;

inline MonotonicTime At(double ms) {
  return MonotonicTime{} + std::chrono::hours(1) +
         std::chrono::microseconds(std::llround(ms * 1000));
}

inline RtpHeader Header(uint16_t seq, uint32_t ts, uint32_t ssrc = 0x1234, bool marker = false) {
  return RtpHeader{
      .marker = marker, .payloadType = 0, .sequence = seq, .timestamp = ts, .ssrc = ssrc};
}

struct Tick {
  int index = 0;
  Kind kind = Kind::kEmpty;
  uint16_t seq = 0;  // kPacket only
  int frames = 0;
  int delayMs = 0;
};

class Sim {
 public:
  explicit Sim(const JitterBuffer::Options& options, double firstTickMs = 5)
      : buffer_(std::move(*JitterBuffer::Create(options))), nextTick_(firstTickMs) {}

  void send(double arrivalMs, const RtpHeader& header, size_t size = 20) {
    queue_.push_back({arrivalMs, header, size, false});
  }
  void sendSkip(double arrivalMs, const RtpHeader& header) {
    queue_.push_back({arrivalMs, header, 0, true});
  }

  // Ticks every 20 ms up to and including `untilMs`.
  void run(double untilMs) {
    std::stable_sort(queue_.begin() + static_cast<long>(delivered_), queue_.end(),
                     [](const Queued& a, const Queued& b) { return a.arrivalMs < b.arrivalMs; });
    while (nextTick_ <= untilMs) {
      while (delivered_ < queue_.size() && queue_[delivered_].arrivalMs <= nextTick_) {
        deliver(queue_[delivered_++]);
      }
      JitterBuffer::Pop pop = buffer_->pop(At(nextTick_));
      Tick tick{.index = static_cast<int>(ticks.size()),
                .kind = pop.kind,
                .frames = pop.frames,
                .delayMs = buffer_->stats().delayMs};
      if (pop.kind == Kind::kPacket) {
        tick.seq = pop.header.sequence;
        REQUIRE(pop.size >= 2);
        CHECK(((pop.payload[0] << 8) | pop.payload[1]) == pop.header.sequence);
      }
      ticks.push_back(tick);
      nextTick_ += 20;
    }
  }

  std::vector<uint16_t> playedSeqs() const {
    std::vector<uint16_t> out;
    for (const Tick& t : ticks) {
      if (t.kind == Kind::kPacket) out.push_back(t.seq);
    }
    return out;
  }
  int count(Kind kind) const {
    return static_cast<int>(std::count_if(ticks.begin(), ticks.end(),
                                          [kind](const Tick& t) { return t.kind == kind; }));
  }
  // The tick that played `seq`, or -1.
  int tickOf(uint16_t seq) const {
    for (const Tick& t : ticks) {
      if (t.kind == Kind::kPacket && t.seq == seq) return t.index;
    }
    return -1;
  }

  JitterBuffer& buffer() { return *buffer_; }
  const JitterBufferStats& stats() const { return buffer_->stats(); }

  std::vector<Tick> ticks;
  std::vector<JitterBuffer::PushResult> results;

 private:
  struct Queued {
    double arrivalMs;
    RtpHeader header;
    size_t size;
    bool skip;
  };

  void deliver(const Queued& q) {
    if (q.skip) {
      buffer_->skip(q.header);
      return;
    }
    std::vector<uint8_t> payload(std::max<size_t>(q.size, 2),
                                 static_cast<uint8_t>(q.header.sequence));
    payload[0] = static_cast<uint8_t>(q.header.sequence >> 8);
    payload[1] = static_cast<uint8_t>(q.header.sequence);
    results.push_back(buffer_->push(q.header, payload.data(), q.size, At(q.arrivalMs)));
  }

  JitterBufferPtr buffer_;
  double nextTick_;
  std::vector<Queued> queue_;
  size_t delivered_ = 0;
};

// A steady talker: packet i is sent at i * ptime ms with timestamp ts0 + i * step.
struct Talker {
  uint16_t seq0 = 1000;
  uint32_t ts0 = 5000;
  uint32_t step = 160;
  double ptimeMs = 20;
  uint32_t ssrc = 0x1234;

  RtpHeader header(int i) const {
    return Header(static_cast<uint16_t>(seq0 + i), ts0 + static_cast<uint32_t>(i) * step, ssrc);
  }
  double sendTime(int i) const { return i * ptimeMs; }
};

// A deterministic generator (the standard distributions differ between libraries).
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return state_ >> 33;
  }
  // Uniform in [low, high].
  double uniform(double low, double high) {
    return low + (high - low) * static_cast<double>(next() % 1000001) / 1000000.0;
  }
  uint64_t below(uint64_t n) { return next() % n; }

 private:
  uint64_t state_;
};

}  // namespace pbx::media::internal::jitter_test
