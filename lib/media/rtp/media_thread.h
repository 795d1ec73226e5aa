// MediaThread: one media thread running an epoll loop over the sockets of the relays it owns.
//
// Work reaches the thread only through post(): a mutex-guarded queue plus an eventfd that
// wakes the loop. Relays are added, changed and closed that way too, so a relay's sockets and
// state are only touched here. Every wakeup first runs the posted work, then serves the ready
// sockets (so a change posted before a packet was sent applies to it).
//
// Relay work is posted with Wake::kSoon: it does not wake the thread, which runs it before it
// next serves a packet, when kSoonBatch posts are waiting, and at the latest kSoonDelay later
// (the loop never sleeps longer, whether work is queued or not). A call's relay then rarely
// costs the signaling thread an eventfd write or the media thread a wakeup of its own: at
// 1000 call setups a second pbxd used 71% of a core instead of 77% (sip-cps bench, no RTP).
// The first packets of a new relay may wait up to kSoonDelay, once; in practice media starts
// an answer's round trip after the relay was made, and its sockets queue what arrives
// meanwhile. A close makes the relay's pairs reusable, so the batch bound keeps a burst of
// hang-ups from holding thousands of them back, and a close wakes the thread at once when a
// quarter or less of the port range is free.
//
// Port pairs: the thread owns the PortPairs of its relays, each in its epoll set from the
// relay that bound it until the pair is closed. A closed relay's pairs go to the back of the
// thread's idle pool, still bound; the signaling thread takes the pair idle longest from its
// front for a new relay once it has been idle kReuseAfter (or at any age when the port range
// has no free pair left), so a warm pool makes a call's media cost no socket(), bind(),
// epoll_ctl() or close(), and a late packet of an ended call rarely reaches the next one.
// Packets arriving at an idle pair are read and dropped (counted as packetsDropped), so a
// reused pair starts empty. Pairs idle for kIdleClose are closed and their ports freed. A
// pair taken from the pool but whose relay is not registered yet is left alone: its relay's
// registration was posted before its address was given out, so it runs first.
//
// Ticks: relays whose media is terminated (transcoding, playing, recording) are ticked every
// kTick (20 ms) so they send what they encoded; the loop's wait ends at the next tick. A
// relay joins or leaves the tick list through updateTicking(), called after each change to
// its media.
//
// Thread-safety: post(), takeIdlePair(), giveBack(), addRelay(), closeRelay(), idlePairs(),
// load(), counters() and isThreadSafe() may be called from any thread; everything else
// belongs to the thread itself.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "lib/base/thread_cpu_clock.h"
#include "lib/media/rtp/media_counters.h"
#include "lib/media/rtp/packet_batch.h"
#include "lib/media/rtp/port_allocator.h"
#include "lib/media/rtp/port_pair.h"
#include "lib/media/rtp/relay_core.h"
#include "pbx/base/time_source.h"

namespace pbx::media::internal {

class MediaThread {
 public:
  using Callback = std::function<void()>;
  // kNow wakes the thread; kSoon waits for its next wakeup (see above).
  enum class Wake { kNow, kSoon };
  static constexpr std::chrono::milliseconds kSoonDelay{50};
  static constexpr size_t kSoonBatch = 64;  // this many queued posts wake the thread
  static constexpr std::chrono::seconds kReuseAfter{1};
  static constexpr std::chrono::seconds kIdleClose{10};
  static constexpr std::chrono::milliseconds kTick{20};

  // `ports` gets the port of each pair the thread closes back; it must outlive the thread.
  static absl::StatusOr<std::unique_ptr<MediaThread>> Create(int index, const TimeSource& time,
                                                             PortAllocator& ports);
  // Runs the work posted so far (closing relays still queued for closing), then joins.
  ~MediaThread();

  void post(Callback callback, Wake wake = Wake::kNow);
  bool isThreadSafe() const { return std::this_thread::get_id() == threadId_.load(); }

  // The pair idle longest, if it has been idle kReuseAfter by `now` (at any age with
  // `anyAge`), else null. The caller gives it to a relay with addRelay(), or back.
  PortPair* takeIdlePair(MonotonicTime now, bool anyAge);
  void giveBack(PortPair* pair);
  // Hands `relay` to this thread. `bound` are those of its pairs that the caller bound anew
  // (the others came from takeIdlePair()); they join the epoll set when the thread gets to it.
  void addRelay(std::shared_ptr<RelayCore> relay, std::vector<std::unique_ptr<PortPair>> bound);
  // Puts the relay's pairs back into the idle pool, on this thread.
  void closeRelay(std::shared_ptr<RelayCore> relay);
  size_t idlePairs() const;
  // On this thread, after a change to `relay`'s media: ticks it while it is terminating.
  void updateTicking(RelayCore& relay);

  // Relays living on this thread (for least-loaded placement).
  size_t load() const { return load_.load(std::memory_order_relaxed); }
  const ThreadCounters& counters() const { return counters_; }
  // CPU time this thread has used, in seconds (any thread).
  double cpuSeconds() const { return cpu_.seconds(); }

 private:
  MediaThread(int index, const TimeSource& time, PortAllocator& ports, int epollFd, int wakeFd);
  void run();
  void runPosted();
  // `bound`: the relay's newly bound pairs, null when both came from the pool.
  void registerRelay(const std::shared_ptr<RelayCore>& relay,
                     std::vector<std::unique_ptr<PortPair>>* bound);
  void unregisterRelay(RelayCore* relay);
  void onReadable(PortPair::Slot& slot, MonotonicTime now);
  void closeIdlePairs(MonotonicTime now, bool all);
  void tick(MonotonicTime now);
  int waitMs(MonotonicTime now) const;

  const int index_;
  const TimeSource& time_;
  PortAllocator& ports_;
  const int epollFd_;
  const int wakeFd_;  // eventfd

  std::mutex mutex_;
  std::vector<Callback> queue_ ABSL_GUARDED_BY(mutex_);
  bool wakeSignalled_ ABSL_GUARDED_BY(mutex_) = false;  // the eventfd was written, not yet seen

  mutable std::mutex poolMutex_;
  std::deque<PortPair*> idle_ ABSL_GUARDED_BY(poolMutex_);  // front: idle longest

  // Owned by the thread.
  bool running_ = true;
  std::unordered_map<RelayCore*, std::shared_ptr<RelayCore>> relays_;
  std::unordered_map<PortPair*, std::unique_ptr<PortPair>> pairs_;  // every pair in epoll
  std::unique_ptr<PacketBatch> batch_;
  std::vector<RelayCore*> ticking_;
  MonotonicTime nextTick_{};

  ThreadCounters counters_;
  ThreadCpuClock cpu_;
  std::atomic<size_t> load_{0};
  std::atomic<std::thread::id> threadId_;
  std::thread thread_;
};

}  // namespace pbx::media::internal
