// UdpSocket: an owned, non-blocking UDP socket file descriptor (closed on destruction), and
// BindPortPair(), which binds the RTP socket on an even port and its RTCP socket on port + 1.
//
// Thread-safety: a UdpSocket is used by one thread at a time; ownership may move between
// threads (created on the signaling thread, used and closed on a media thread).
#pragma once

#include <cstdint>
#include <utility>

#include "absl/status/statusor.h"
#include "lib/media/rtp/inet_address.h"

namespace pbx::media::internal {

class UdpSocket {
 public:
  UdpSocket() = default;
  explicit UdpSocket(int fd) : fd_(fd) {}
  UdpSocket(UdpSocket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UdpSocket& operator=(UdpSocket&& other) noexcept;
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;
  ~UdpSocket() { close(); }

  // Binds a non-blocking socket to `local`. Returns UnavailableError when the port is in use
  // (by us or by another process), other errors when the address itself is unusable.
  static absl::StatusOr<UdpSocket> Bind(const InetAddress& local);

  int fd() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void close();

 private:
  int fd_ = -1;
};

struct PortPairSockets {
  UdpSocket rtp;
  UdpSocket rtcp;
};

// Binds `address` with port `rtpPort` (even) and `rtpPort + 1`. UnavailableError when either
// port is taken.
absl::StatusOr<PortPairSockets> BindPortPair(const InetAddress& address, uint16_t rtpPort);

}  // namespace pbx::media::internal
