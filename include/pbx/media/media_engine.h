// MediaEngine: owns the media threads and the RTP port range, and makes relays.
//
//   pbx::media::MediaEngineOptions options;
//   options.address = "127.0.0.1";
//   options.threads = 0;   // one per core
//   auto engine = pbx::media::CreateMediaEngine(options);   // StatusOr<MediaEnginePtr>
//   auto relay = (*engine)->createRelay({});
//
// Thread-safety: createRelay() and stats() may be called from any thread. Destroy every relay
// before the engine.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "pbx/media/rtp_relay.h"

namespace pbx::media {

struct MediaEngineStats {
  uint64_t relaysActive = 0;
  uint64_t packetsRelayed = 0;  // packets sent out of any endpoint
  uint64_t bytesRelayed = 0;
  uint64_t packetsDropped = 0;
  double cpuSeconds = 0;  // CPU time the media threads have used
};

class MediaEngine {
 public:
  virtual ~MediaEngine() = default;
  // Allocates two endpoints (four ports) from the port range. Fails with
  // ResourceExhausted when the range has no free even port pair left.
  virtual absl::StatusOr<RtpRelayPtr> createRelay(const RelayOptions& options) = 0;
  virtual MediaEngineStats stats() const = 0;
};
using MediaEnginePtr = std::unique_ptr<MediaEngine>;

struct MediaEngineOptions {
  std::string address = "127.0.0.1";  // numeric IPv4 or IPv6 address the RTP sockets bind to
  uint16_t portMin = 20000;           // even; RTP on even ports, RTCP on the next odd one
  uint16_t portMax = 29999;
  int threads = 0;  // media threads; 0 = one per core
};

// The real engine: epoll loops on `threads` media threads, UDP sockets on `address`.
absl::StatusOr<MediaEnginePtr> CreateMediaEngine(const MediaEngineOptions& options);

}  // namespace pbx::media
