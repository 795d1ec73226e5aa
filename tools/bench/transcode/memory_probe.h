// The transcode bench's memory measurement: the heap a transcoded PCMU<->Opus call holds, from
// glibc's mallinfo2() before and after creating N calls and ticking them (so every lazy
// allocation has happened), and the same measure taken part by part — relay shell, each side's
// stream, its jitter buffer, codecs and RFC 4733 state — so a figure over the aim says where it
// goes. Heap figures include malloc's own chunk headers, as a real process pays them.
//
//   MemoryReport report = MeasureMemory(audio, pcmu, opus, 1000);
//   PrintMemory(report, /*aimBytes=*/64 * 1024);
//
// Thread-safety: one thread; the heap of other threads would count too.
#pragma once

#include <malloc.h>

#include <cstddef>
#include <string>
#include <vector>

#include "pbx/media/media_types.h"
#include "tools/bench/transcode/call_audio.h"

namespace pbx::bench {

// Bytes the process' heap has handed out (every arena, mmapped chunks included).
inline size_t HeapInUse() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

// Heap growth per item of `n` items made by `make` (each returning an owning pointer), all alive
// at the second measure.
template <typename Make>
double HeapPerItem(size_t n, Make make) {
  std::vector<decltype(make())> items;
  items.reserve(n);
  const size_t before = HeapInUse();
  for (size_t i = 0; i < n; ++i) items.push_back(make());
  const size_t after = HeapInUse();
  return after >= before ? static_cast<double>(after - before) / static_cast<double>(n) : 0;
}

struct MemoryRow {
  std::string what;
  double bytes = 0;  // per call (or per item, as the label says)
  int depth = 0;     // 0: a part of the call; 1: a part of the row above
};

struct MemoryReport {
  size_t calls = 0;
  double perCall = 0;            // heap growth per transcoded call, the bench's own share removed
  double opusState = 0;          // libopus' encoder + decoder state per call
  std::vector<MemoryRow> parts;  // where perCall goes
  double partsTotal = 0;         // the depth-0 rows added up
};

MemoryReport MeasureMemory(const CallAudio& audio, const media::StreamFormat& pcmu,
                           const media::StreamFormat& opus, size_t calls);
void PrintMemory(const MemoryReport& report, double aimBytes);

}  // namespace pbx::bench
