// PacketBatch: one media thread's preallocated scratch space for recvmmsg()/sendmmsg(), so the
// packet path allocates nothing per packet. Received datagrams are forwarded straight out of
// the receive buffers (the send iovecs point into them).
//
// Thread-safety: owned and used by one media thread.
#pragma once

#include <errno.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace pbx::media::internal {

struct PacketBatch {
  static constexpr size_t kPackets = 32;
  // Full batches read from one socket per wakeup before the loop serves the other sockets;
  // the sockets are level-triggered, so whatever is left is reported again at once.
  static constexpr int kBatchesPerWakeup = 4;
  // Larger than any Ethernet-MTU datagram; bigger ones arrive truncated and are dropped.
  static constexpr size_t kBufferSize = 2048;

  PacketBatch() {
    std::memset(received.data(), 0, sizeof received);
    std::memset(outgoing.data(), 0, sizeof outgoing);
    for (size_t i = 0; i < kPackets; ++i) {
      receiveVectors[i] = {buffers[i].data(), kBufferSize};
      received[i].msg_hdr.msg_iov = &receiveVectors[i];
      received[i].msg_hdr.msg_iovlen = 1;
      received[i].msg_hdr.msg_name = &sources[i];
      outgoing[i].msg_hdr.msg_iov = &sendVectors[i];
      outgoing[i].msg_hdr.msg_iovlen = 1;
    }
  }

  // recvmmsg() overwrites the name lengths and flags; restore them before each call.
  void prepareReceive() {
    for (size_t i = 0; i < kPackets; ++i) {
      received[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
      received[i].msg_hdr.msg_flags = 0;
    }
  }

  const uint8_t* data(size_t i) const { return buffers[i].data(); }
  size_t size(size_t i) const { return received[i].msg_len; }
  bool truncated(size_t i) const { return (received[i].msg_hdr.msg_flags & MSG_TRUNC) != 0; }
  const sockaddr* source(size_t i) const { return reinterpret_cast<const sockaddr*>(&sources[i]); }
  socklen_t sourceLength(size_t i) const { return received[i].msg_hdr.msg_namelen; }

  // Queues received datagram `i` as outgoing datagram `slot` to `destination`.
  void queueSend(size_t slot, size_t i, const sockaddr* destination, socklen_t length) {
    sendVectors[slot] = {buffers[i].data(), received[i].msg_len};
    outgoing[slot].msg_hdr.msg_name = const_cast<sockaddr*>(destination);
    outgoing[slot].msg_hdr.msg_namelen = length;
  }

  std::array<mmsghdr, kPackets> received;
  std::array<iovec, kPackets> receiveVectors;
  std::array<sockaddr_storage, kPackets> sources;
  std::array<mmsghdr, kPackets> outgoing;
  std::array<iovec, kPackets> sendVectors;
  std::array<std::array<uint8_t, kBufferSize>, kPackets> buffers;
};

// Reads `socket` into `batch` with recvmmsg() until it would block or kBatchesPerWakeup full
// batches were read, calling `onBatch(count)` for each batch read. Errors other than EINTR
// end the read: there is nothing to do but wait for the next wakeup.
template <typename OnBatch>
void ReadSocket(int socket, PacketBatch& batch, OnBatch&& onBatch) {
  for (int round = 0; round < PacketBatch::kBatchesPerWakeup; ++round) {
    batch.prepareReceive();
    const int count =
        recvmmsg(socket, batch.received.data(), PacketBatch::kPackets, MSG_DONTWAIT, nullptr);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) return;
    onBatch(static_cast<size_t>(count));
    if (static_cast<size_t>(count) < PacketBatch::kPackets) return;
  }
}

}  // namespace pbx::media::internal
