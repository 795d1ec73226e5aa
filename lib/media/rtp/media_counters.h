// Counters of the relay packet path. Each counter has one writer (the media thread that owns
// the relay or is the thread) and any number of readers, so an increment is a relaxed load and
// store rather than a locked read-modify-write, and each group sits on its own cache line.
//
// Thread-safety: Add() only from the owning media thread; reads from any thread.
#pragma once

#include <atomic>
#include <cstdint>

#include "pbx/media/rtp_relay.h"

namespace pbx::media::internal {

inline void Add(std::atomic<uint64_t>& counter, uint64_t n) {
  counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

inline uint64_t Read(const std::atomic<uint64_t>& counter) {
  return counter.load(std::memory_order_relaxed);
}

// What one side's endpoint received from its phone and sent to it. packetsReceived is
// written last for each batch, with release order, and read first with acquire order: a reader
// that sees a batch counted there sees all its other counts too (tests rely on it).
struct alignas(64) SideCounters {
  std::atomic<uint64_t> packetsReceived{0};
  std::atomic<uint64_t> bytesReceived{0};
  std::atomic<uint64_t> packetsSent{0};
  std::atomic<uint64_t> bytesSent{0};
  std::atomic<uint64_t> packetsDropped{0};

  RtpSideStats snapshot() const {
    RtpSideStats out;
    out.packetsReceived = packetsReceived.load(std::memory_order_acquire);
    out.bytesReceived = Read(bytesReceived);
    out.packetsSent = Read(packetsSent);
    out.bytesSent = Read(bytesSent);
    out.packetsDropped = Read(packetsDropped);
    return out;
  }
};

// Totals of every relay on one media thread; the engine sums them over its threads.
struct alignas(64) ThreadCounters {
  std::atomic<uint64_t> packetsRelayed{0};
  std::atomic<uint64_t> bytesRelayed{0};
  std::atomic<uint64_t> packetsDropped{0};
};

}  // namespace pbx::media::internal
