// RtpengineProcess: an rtpengine daemon that the media-relay bench starts as its peer relay, on
// loopback, forwarding in userspace only (no kernel module, no config file, no Redis), with its
// ng control port on a free loopback port. The bench sets calls up through ng() and reads the
// daemon's CPU time from /proc/<pid>/stat; the destructor stops it by its PID.
//
//   if (auto binary = RtpengineProcess::Find(); !binary.empty()) {
//     auto rtpengine = RtpengineProcess::Start({binary, 1, 19400, 32767, "/tmp/rtpengine.log"});
//     (*rtpengine)->ng().offer(...);
//     double cpu = (*rtpengine)->cpuSeconds();
//   }                                                  // SIGTERM to its PID, then SIGKILL
//
// The child also gets SIGKILL if the bench dies first (PR_SET_PDEATHSIG), so a killed bench
// leaves no daemon behind. Thread-safety: one thread.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "tools/bench/media-relay/ng_client.h"

namespace pbx::bench {

struct RtpengineOptions {
  std::string binary;
  int threads = 1;  // --num-threads: its packet-forwarding worker threads
  uint16_t portMin = 10000;
  uint16_t portMax = 32767;
  std::string logPath;  // its stdout and stderr
};

class RtpengineProcess {
 public:
  // The rtpengine binary in PATH (or /usr/bin, /usr/sbin), or "" when it is not installed.
  static std::string Find();
  // What `rtpengine --version` says, e.g. "10.5.3.5-1+deb12u1".
  static std::string Version(const std::string& binary);
  // Starts the daemon and waits until its ng port answers a ping.
  static absl::StatusOr<std::unique_ptr<RtpengineProcess>> Start(const RtpengineOptions& options);
  ~RtpengineProcess();

  NgClient& ng() { return *ng_; }
  pid_t pid() const { return pid_; }
  // User + system CPU seconds of every thread of the daemon.
  double cpuSeconds() const;

 private:
  explicit RtpengineProcess(pid_t pid) : pid_(pid) {}
  void stop();

  pid_t pid_;
  std::unique_ptr<NgClient> ng_;
};

}  // namespace pbx::bench
