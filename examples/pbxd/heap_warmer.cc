#include "examples/pbxd/heap_warmer.h"

#include <pthread.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>

#ifdef PBXD_TCMALLOC
#include <gperftools/malloc_extension.h>
#endif

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14
#endif

namespace pbxd {
namespace {

constexpr auto kTick = std::chrono::milliseconds(10);

size_t PageSize() { return static_cast<size_t>(sysconf(_SC_PAGESIZE)); }

struct HeapCounters {
  size_t inUse = 0;  // mapped heap minus the page heap's free pages
  size_t free = 0;   // free, mapped pages in the page heap
};

bool ReadCounters(HeapCounters& out) {
#ifdef PBXD_TCMALLOC
  size_t heap = 0, free = 0, unmapped = 0;
  auto* ext = MallocExtension::instance();
  if (!ext->GetNumericProperty("generic.heap_size", &heap) ||
      !ext->GetNumericProperty("tcmalloc.pageheap_free_bytes", &free) ||
      !ext->GetNumericProperty("tcmalloc.pageheap_unmapped_bytes", &unmapped))
    return false;
  out.free = free;
  out.inUse = heap > free + unmapped ? heap - free - unmapped : 0;
  return true;
#else
  (void)out;
  return false;
#endif
}

// Maps the pages of [p, p + n) writable without changing their contents (so also for memory
// other threads use), where the kernel has MADV_POPULATE_WRITE.
bool Populate(char* p, size_t n) {
  const uintptr_t page = PageSize();
  uintptr_t start = reinterpret_cast<uintptr_t>(p) & ~(page - 1);
  uintptr_t end = (reinterpret_cast<uintptr_t>(p) + n + page - 1) & ~(page - 1);
  return madvise(reinterpret_cast<void*>(start), end - start, MADV_POPULATE_WRITE) == 0;
}

long ThreadMinorFaults() {
  rusage usage{};
  getrusage(RUSAGE_THREAD, &usage);
  return usage.ru_minflt;
}

constexpr uintptr_t kHugePage = uintptr_t{2} << 20;

// Asks the kernel to back the whole 2 MiB pages inside [lo, hi) with huge pages (THP in
// "madvise" mode or "always"), before they are first touched.
void AdviseHugePages(uintptr_t lo, uintptr_t hi) {
  uintptr_t start = (lo + kHugePage - 1) & ~(kHugePage - 1);
  uintptr_t end = hi & ~(kHugePage - 1);
  if (end > start) madvise(reinterpret_cast<void*>(start), end - start, MADV_HUGEPAGE);
}

// Has tcmalloc take `bytes` more from the system and faults them in. tcmalloc joins what it
// takes from the system to the free pages just below it and hands out the front of the joined
// run, so where the heap grows by sbrk, part of the new range stays free in the page heap, for
// any thread to take as soon as malloc returns. That part is taken too (as `rest`, the whole
// of it but the last few pages) while it is faulted in, so that no thread gets it cold; then
// the chunk is faulted in, and both are handed back.
void Warm(size_t bytes, bool hugePages) {
  const auto brkBefore = reinterpret_cast<uintptr_t>(sbrk(0));
  auto* chunk = static_cast<char*>(std::malloc(bytes));
  if (chunk == nullptr) return;
  auto brkAfter = reinterpret_cast<uintptr_t>(sbrk(0));
  const auto chunkLo = reinterpret_cast<uintptr_t>(chunk);
  const auto chunkHi = chunkLo + bytes;
  void* rest = nullptr;
  if (brkAfter > brkBefore) {
    uintptr_t lo = std::clamp(chunkLo, brkBefore, brkAfter);
    uintptr_t hi = std::clamp(chunkHi, brkBefore, brkAfter);
    // Less than the free run above the chunk (whatever tcmalloc's page size), so that it fits
    // there; should another thread have taken part of the run meanwhile and tcmalloc grown the
    // heap for `rest`, the new break covers that too.
    constexpr size_t kMargin = size_t{64} << 10;
    if (brkAfter - hi > 2 * kMargin) {
      rest = std::malloc((brkAfter - hi) / kMargin * kMargin - kMargin);
      brkAfter = std::max(brkAfter, reinterpret_cast<uintptr_t>(sbrk(0)));
    }
    // The whole new range gets the advice at once, so that the 2 MiB pages it spans are not
    // cut at the chunk's edges.
    if (hugePages) AdviseHugePages(brkBefore, brkAfter);
    if (hi < brkAfter) Populate(reinterpret_cast<char*>(hi), brkAfter - hi);
    if (lo > brkBefore) Populate(reinterpret_cast<char*>(brkBefore), lo - brkBefore);
  } else if (hugePages) {
    AdviseHugePages(chunkLo, chunkHi);  // memory tcmalloc mapped elsewhere
  }
  if (!Populate(chunk, bytes)) {
    for (size_t i = 0; i < bytes; i += PageSize()) static_cast<volatile char*>(chunk)[i] = 0;
  }
  std::free(rest);  // inside the new range, or a free run tcmalloc had anyway
  std::free(chunk);
}

}  // namespace

bool HeapWarmer::Supported() {
#ifdef PBXD_TCMALLOC
  // tcmalloc linked in is not enough: malloc must be its (not, say, an LD_PRELOADed one).
  auto* ext = MallocExtension::instance();
  void* probe = std::malloc(1);
  bool owned = ext->GetOwnership(probe) == MallocExtension::kOwned;
  std::free(probe);
  HeapCounters counters;
  return owned && ReadCounters(counters) && ext->GetMemoryReleaseRate() <= 0;
#else
  return false;
#endif
}

HeapWarmer::HeapWarmer(HeapReserve::Options options, bool hugePages)
    : reserve_(options), hugePages_(hugePages) {
  thread_ = std::thread([this] { run(); });
}

HeapWarmer::~HeapWarmer() {
  stop_.store(true);
  thread_.join();
}

size_t HeapWarmer::prefaultedBytes() const {
  return static_cast<size_t>(faults_.load(std::memory_order_relaxed)) * PageSize();
}

void HeapWarmer::run() {
  pthread_setname_np(pthread_self(), "pbx-heap-warmer");
  const long faultsAtStart = ThreadMinorFaults();
  const auto start = std::chrono::steady_clock::now();
  while (!stop_.load()) {
    HeapCounters now;
    if (!ReadCounters(now)) return;
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (size_t bytes = reserve_.update(seconds, now.inUse, now.free); bytes > 0) {
      Warm(bytes, hugePages_);
      faults_.store(ThreadMinorFaults() - faultsAtStart, std::memory_order_relaxed);
    }
    std::this_thread::sleep_for(kTick);
  }
}

}  // namespace pbxd
