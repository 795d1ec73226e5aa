// LoadGenerator: the phones of the media-relay bench. For each call it owns two UDP sockets on
// 127.0.0.1 (side A and side B) that each send a G.711 20 ms stream (172-byte RTP packets,
// 50 packets/s, an SSRC of its own, timestamps 160 apart) to a target address, and counts
// what they receive back.
//
// One sender thread paces all streams on an absolute 20 ms schedule; one receiver thread
// drains every socket through epoll. Targets are the relay's endpoints, or (for the baseline
// run) the other phone of the call directly.
//
// Thread-safety: start()/stop() from one thread; counters readable from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "pbx/base/socket_address.h"

namespace pbx::bench {

class LoadGenerator {
 public:
  static constexpr size_t kPacketSize = 172;  // 12 RTP header + 160 bytes of G.711
  static constexpr int kPacketsPerSecond = 50;

  // Opens 2 * calls sockets; false when the process ran out of descriptors.
  bool open(size_t calls);
  ~LoadGenerator();

  SocketAddress phone(size_t call, int side) const { return addresses_[2 * call + side]; }
  // Where phone (call, side) sends its stream.
  void setTarget(size_t call, int side, const SocketAddress& target);

  void start();
  void stop();  // stops sending, then receives until the streams have drained

  uint64_t sent() const { return sent_.load(); }
  uint64_t received() const { return received_.load(); }
  // Ticks on which the sender could not send all streams within the 20 ms period.
  uint64_t lateTicks() const { return lateTicks_.load(); }

 private:
  void sendLoop();
  void receiveLoop();

  std::vector<int> fds_;
  std::vector<SocketAddress> addresses_;
  std::vector<std::vector<uint8_t>> targets_;  // sockaddr bytes per socket
  std::atomic<bool> sending_{false};
  std::atomic<bool> receiving_{false};
  std::atomic<uint64_t> sent_{0};
  std::atomic<uint64_t> received_{0};
  std::atomic<uint64_t> lateTicks_{0};
  std::thread sender_;
  std::thread receiver_;
  int epollFd_ = -1;
};

}  // namespace pbx::bench
