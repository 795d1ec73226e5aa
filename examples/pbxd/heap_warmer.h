// HeapWarmer: faults fresh heap pages in on a thread of its own, ahead of the signaling
// thread's demand.
//
// The SIP stack keeps every finished call's transactions for 32 s (RFC 3261 Timers J and D,
// docs/benchmarks.md), so while the call rate rises the heap grows by some 29 KB a call. The
// kernel zeroes and maps each new page on its first touch, and on the signaling thread that
// was a fifth of its time while the heap grew. This thread reads tcmalloc's counters every
// 10 ms and, as HeapReserve decides, has tcmalloc take fresh memory from the system, faults it
// in and hands it back: tcmalloc keeps it (pbxd runs with a release rate of 0) and the
// signaling thread's allocations find resident pages. A heap that has stopped growing costs
// two counter reads per tick. Unless told otherwise, it asks for the memory it grows to be
// backed by 2 MiB pages: a heap of gigabytes touched at random costs fewer TLB misses so.
//
// Only with tcmalloc (pbxd's allocator) and a release rate of 0: Supported() says whether
// this process qualifies.
#pragma once

#include <atomic>
#include <cstddef>
#include <thread>

#include "examples/pbxd/heap_reserve.h"

namespace pbxd {

class HeapWarmer {
 public:
  static bool Supported();

  // With `hugePages`, the heap it grows is asked to be backed by 2 MiB pages
  // (madvise(MADV_HUGEPAGE)) before it is faulted in.
  explicit HeapWarmer(HeapReserve::Options options = {}, bool hugePages = true);
  ~HeapWarmer();  // stops and joins the thread
  HeapWarmer(const HeapWarmer&) = delete;
  HeapWarmer& operator=(const HeapWarmer&) = delete;

  // Bytes of memory this thread has faulted in (its minor page faults times the page size).
  size_t prefaultedBytes() const;

 private:
  void run();

  HeapReserve reserve_;
  const bool hugePages_;
  std::atomic<bool> stop_{false};
  std::atomic<long> faults_{0};
  std::thread thread_;
};

}  // namespace pbxd
