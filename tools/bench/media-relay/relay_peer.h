// RelayPeer: one relay under test in the media-relay bench, as the step search sees it: set up
// N calls between the load generator's phones so that each phone sends to the relay, tear them
// down, and say how much CPU the relay has used. Two kinds:
//
//   - pbxkit: a MediaEngine with `threads` media threads in this process; its CPU is that of
//     the threads named pbx-media-* (/proc/self/task), not the load generator's.
//   - rtpengine: a daemon the bench starts (RtpengineProcess) with --num-threads=`threads`,
//     each call set up by an ng offer (phone A's SDP) and answer (phone B's SDP); its CPU is
//     that of the whole daemon (/proc/<pid>/stat).
//
//   auto relay = CreatePbxkitRelay(1);                 // or CreateRtpengineRelay(...)
//   (*relay)->setUp(phones, 800);
//   double cpu0 = (*relay)->cpuSeconds();  ...  (*relay)->tearDown();
//
// Thread-safety: one thread.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "tools/bench/media-relay/load_generator.h"

namespace pbx::bench {

class RelayPeer {
 public:
  virtual ~RelayPeer() = default;
  virtual std::string name() const = 0;
  // Makes `calls` calls and points each phone of `phones` at the relay's endpoint for it.
  virtual absl::Status setUp(LoadGenerator& phones, size_t calls) = 0;
  virtual void tearDown() = 0;
  // CPU seconds the relay has used so far (all of its media or worker threads).
  virtual double cpuSeconds() const = 0;
};
using RelayPeerPtr = std::unique_ptr<RelayPeer>;

absl::StatusOr<RelayPeerPtr> CreatePbxkitRelay(int threads);
// `binary` from RtpengineProcess::Find(); the daemon's output goes to `logPath`.
absl::StatusOr<RelayPeerPtr> CreateRtpengineRelay(const std::string& binary, int threads,
                                                  const std::string& logPath);

}  // namespace pbx::bench
