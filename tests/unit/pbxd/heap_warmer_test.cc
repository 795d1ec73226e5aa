// The heap warmer against tcmalloc itself: memory this thread allocates after the warmer has
// run must already be resident (no page faults on this thread), also when tcmalloc joins the
// new memory to free pages next to it; and the heap it grows is advised for huge pages unless
// told not to.
#include "examples/pbxd/heap_warmer.h"

#include <gperftools/malloc_extension.h>
#include <sys/resource.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

namespace {
constexpr size_t kMiB = size_t{1} << 20;

long ThreadMinorFaults() {
  rusage usage{};
  getrusage(RUSAGE_THREAD, &usage);
  return usage.ru_minflt;
}

size_t PageHeapFree() {
  size_t free = 0;
  MallocExtension::instance()->GetNumericProperty("tcmalloc.pageheap_free_bytes", &free);
  return free;
}

// Waits (up to 10 s) until the page heap holds at least `bytes` free.
bool WaitForFree(size_t bytes) {
  for (int i = 0; i < 1000 && PageHeapFree() < bytes; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return PageHeapFree() >= bytes;
}

// Allocates `bytes` in small blocks, kept in `keep` from `next` on (storage the caller has
// touched already); returns this thread's page faults meanwhile.
long AllocateSmall(size_t bytes, std::vector<void*>& keep, size_t& next) {
  const long before = ThreadMinorFaults();
  for (size_t done = 0; done < bytes; done += 96) keep.at(next++) = std::malloc(96);
  return ThreadMinorFaults() - before;
}

// The heap's mappings ([heap] in /proc/self/smaps): bytes advised for huge pages (VmFlags
// "hg"), and bytes the kernel backs with them (AnonHugePages).
struct HeapMappings {
  size_t advisedBytes = 0;
  size_t hugePageBytes = 0;
};

HeapMappings ReadHeapMappings() {
  HeapMappings out;
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inHeap = false;
  size_t size = 0;
  while (std::getline(smaps, line)) {
    const std::string first = line.substr(0, line.find(' '));
    if (first.empty()) continue;
    if (first.back() != ':') {  // "start-end perms offset dev inode [path]" opens a mapping
      inHeap = line.find("[heap]") != std::string::npos;
      std::istringstream range(first);
      size_t start = 0, end = 0;
      char dash = 0;
      range >> std::hex >> start >> dash >> end;
      size = end - start;
    } else if (inHeap && line.rfind("AnonHugePages:", 0) == 0) {
      out.hugePageBytes += std::stoul(line.substr(14)) * 1024;
    } else if (inHeap && line.rfind("VmFlags:", 0) == 0 &&
               (line + " ").find(" hg ") != std::string::npos) {
      out.advisedBytes += size;
    }
  }
  return out;
}
}  // namespace

TEST_CASE("allocations find pages the warmer faulted in") {
  MallocExtension::instance()->SetMemoryReleaseRate(0);  // as pbxd runs
  REQUIRE(pbxd::HeapWarmer::Supported());
  std::vector<void*> keep(3 * 40 * kMiB / 96 + 1);  // its pages faulted in before measuring
  size_t next = 0;
  {
    pbxd::HeapReserve::Options options;
    options.floorBytes = 64 * kMiB;  // no growth rate here: the floor is the whole reserve
    pbxd::HeapWarmer warmer(options, /*hugePages=*/false);
    // Three rounds of 40 MiB: each takes the free part below half the floor, so the warmer
    // takes fresh memory from the system again, next to the 24 MiB left free.
    long faults = 0;
    for (int round = 0; round < 3; ++round) {
      REQUIRE(WaitForFree(56 * kMiB));
      faults += AllocateSmall(40 * kMiB, keep, next);
    }
    const long pages = static_cast<long>(3 * 40 * kMiB / 4096);
    MESSAGE("faults on this thread: " << faults << " for " << pages << " pages allocated; "
                                      << warmer.prefaultedBytes() / kMiB
                                      << " MiB faulted in by the warmer");
    CHECK(faults < pages / 20);
    CHECK(warmer.prefaultedBytes() >= 64 * kMiB);
    CHECK(ReadHeapMappings().advisedBytes == 0);
  }
  for (size_t i = 0; i < next; ++i) std::free(keep[i]);
}

TEST_CASE("the heap the warmer grows is advised for huge pages") {
  if (!std::ifstream("/sys/kernel/mm/transparent_hugepage/enabled")) {
    MESSAGE("SKIPPED: this kernel has no transparent huge pages (madvise cannot ask for them)");
    return;
  }
  MallocExtension::instance()->SetMemoryReleaseRate(0);
  REQUIRE(pbxd::HeapWarmer::Supported());
  // A reserve of twice what is free plus 64 MiB: below half of it at once, and more than
  // the page heap holds, so the warmer grows the heap.
  pbxd::HeapReserve::Options options;
  options.floorBytes = options.ceilingBytes = 2 * PageHeapFree() + 64 * kMiB;
  pbxd::HeapWarmer warmer(options);
  REQUIRE(WaitForFree(options.floorBytes / 2));
  const HeapMappings heap = ReadHeapMappings();
  MESSAGE((heap.advisedBytes / kMiB) << " MiB of the heap advised for huge pages, "
                                     << (heap.hugePageBytes / kMiB) << " MiB on huge pages");
  // The advice, not the huge pages: whether the kernel grants them is its THP setting's
  // (/sys/kernel/mm/transparent_hugepage/enabled: "never" grants none).
  CHECK(heap.advisedBytes >= 32 * kMiB);
}
