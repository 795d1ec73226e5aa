// MediaEngineImpl: the real MediaEngine — media threads with epoll loops, UDP sockets on the
// configured address, RTP port pairs from the configured range. CreateMediaEngine() makes one
// on the real clock; tests that need to move time (symmetric-RTP re-latching) pass their own.
//
// Relays are placed on the least-loaded media thread; all four sockets of a relay live there.
// A relay's two port pairs come from that thread's idle pool when it has pairs idle long
// enough, else they are bound anew from the port range (see MediaThread).
//
// Thread-safety: createRelay() and stats() from any thread. Every relay must be destroyed
// before the engine (checked: the process aborts otherwise).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/media/rtp/inet_address.h"
#include "lib/media/rtp/media_thread.h"
#include "lib/media/rtp/port_allocator.h"
#include "lib/media/terminated/media_services.h"
#include "pbx/base/time_source.h"
#include "pbx/media/media_engine.h"

namespace pbx::media::internal {

class MediaEngineImpl final : public MediaEngine {
 public:
  // `time` must outlive the engine.
  static absl::StatusOr<std::unique_ptr<MediaEngineImpl>> Create(const MediaEngineOptions& options,
                                                                 const TimeSource& time);
  ~MediaEngineImpl() override;

  absl::StatusOr<RtpRelayPtr> createRelay(const RelayOptions& options) override;
  MediaEngineStats stats() const override;

  size_t threadCount() const { return threads_.size(); }
  size_t relaysOnThread(size_t index) const { return threads_[index]->load(); }
  const PortAllocator& ports() const { return ports_; }
  // Pairs bound but in no relay, over all threads.
  size_t idlePairs() const;

 private:
  MediaEngineImpl(const MediaEngineOptions& options, const InetAddress& address,
                  const TimeSource& time);
  MediaThread& leastLoadedThread();
  absl::StatusOr<RtpRelayPtr> createRelayOn(MediaThread& thread, const RelayOptions& options);
  // A pair for a relay on `thread`: idle long enough there, else bound anew, else (the range
  // is used up, or binding failed) whichever pair has been idle longest there.
  absl::StatusOr<PortPair*> pairFor(MediaThread& thread, MonotonicTime now,
                                    std::vector<std::unique_ptr<PortPair>>& bound);

  const InetAddress address_;
  const TimeSource& time_;
  PortAllocator ports_;
  std::atomic<int64_t> relaysActive_{0};
  std::atomic<size_t> nextThread_{0};
  // Last: the threads stop (and give their ports back) before the rest goes.
  std::vector<std::unique_ptr<MediaThread>> threads_;
  // After the threads: its worker and writer post to them, so it goes first.
  std::unique_ptr<MediaServices> services_;
};

}  // namespace pbx::media::internal
