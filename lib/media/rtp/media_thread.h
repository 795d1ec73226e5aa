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
// meanwhile. Closes give sockets and ports back, so the batch bound keeps a burst of hang-ups
// from holding thousands of them, and a close wakes the thread at once when a quarter or less
// of the port range is free.
//
// The posted close holds the relay's shared state alive until it runs; the closed core then
// stays alive until the end of that wakeup, because events of the same epoll batch may still
// point into it (with its sockets closed they read nothing, even if the descriptor numbers
// were reused meanwhile).
//
// Thread-safety: post(), addRelay(), closeRelay(), load(), counters() and isThreadSafe() may
// be called from any thread; everything else belongs to the thread itself.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "lib/media/rtp/media_counters.h"
#include "lib/media/rtp/packet_batch.h"
#include "lib/media/rtp/port_allocator.h"
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

  // `ports` receives each closed relay's port pairs back; it must outlive the thread.
  static absl::StatusOr<std::unique_ptr<MediaThread>> Create(int index, const TimeSource& time,
                                                             PortAllocator& ports);
  // Runs the work posted so far (closing relays still queued for closing), then joins.
  ~MediaThread();

  void post(Callback callback, Wake wake = Wake::kNow);
  bool isThreadSafe() const { return std::this_thread::get_id() == threadId_.load(); }

  // Hands `relay` to this thread; its sockets join the epoll set when the thread gets to it.
  void addRelay(std::shared_ptr<RelayCore> relay);
  // Closes the relay's sockets on this thread and returns its ports to the allocator.
  void closeRelay(std::shared_ptr<RelayCore> relay);

  // Relays living on this thread (for least-loaded placement).
  size_t load() const { return load_.load(std::memory_order_relaxed); }
  const ThreadCounters& counters() const { return counters_; }

 private:
  MediaThread(int index, const TimeSource& time, PortAllocator& ports, int epollFd, int wakeFd);
  void run();
  void runPosted();
  void registerRelay(const std::shared_ptr<RelayCore>& relay);
  void unregisterRelay(RelayCore* relay);

  const int index_;
  const TimeSource& time_;
  PortAllocator& ports_;
  const int epollFd_;
  const int wakeFd_;  // eventfd

  std::mutex mutex_;
  std::vector<Callback> queue_ ABSL_GUARDED_BY(mutex_);
  bool wakeSignalled_ ABSL_GUARDED_BY(mutex_) = false;  // the eventfd was written, not yet seen

  // Owned by the thread.
  bool running_ = true;
  std::unordered_map<RelayCore*, std::shared_ptr<RelayCore>> relays_;
  std::vector<std::shared_ptr<RelayCore>> closed_;  // freed at the end of the wakeup
  std::unique_ptr<PacketBatch> batch_;

  ThreadCounters counters_;
  std::atomic<size_t> load_{0};
  std::atomic<std::thread::id> threadId_;
  std::thread thread_;
};

}  // namespace pbx::media::internal
