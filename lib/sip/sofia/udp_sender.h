// UdpSender: a thread of its own sends what the signaling thread sends on sofia-sip's UDP socket.
//
// At a couple of thousand calls a second, sendmsg() was a fifth of the signaling thread's time:
// each datagram goes through the kernel's UDP and IP output and, to a peer on the same host or
// through a busy NIC queue, its delivery and the wakeup of the receiver. None of that needs the
// signaling thread. sofia-sip sends every UDP datagram through su_vsend(), called through its
// PLT like su_vrecv (see udp_screen.h), so the su_vsend defined in udp_sender.cc takes its
// place: for the socket a UdpSender is attached to, the datagram is copied into a queue and
// reported sent, and the sender's thread hands the queue to the kernel with sendmmsg().
//
// Only datagrams to a destination that has already taken one are queued. The first to any
// destination, and the first after a send to it failed, go out at once on the calling thread,
// so sofia-sip still sees the kernel's error (no route, a destination refused) and fails the
// transaction at once instead of waiting out its timers. A datagram that the queue has no room
// for (kMaxQueuedBytes: the thread has fallen behind by seconds) is dropped, as the kernel
// drops one for a full socket buffer; SIP retransmits it.
//
// Under load the thread wakes every kPollInterval and sends what has come in since, without
// the signaling thread ever having to wake it; after kIdlePolls empty rounds it sleeps until
// the next datagram wakes it. A datagram waits at most about kPollInterval.
//
// Thread-safety: send() and stats() on any thread. Construct and destroy with the socket
// open; the destructor sends what is queued before it returns.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <vector>

#include "lib/base/thread_cpu_clock.h"
#include "pbx/sip/sofia.h"

namespace pbx::sip::internal {

class UdpSender {
 public:
  static constexpr size_t kMaxQueuedBytes = 8 * 1024 * 1024;
  static constexpr std::chrono::microseconds kPollInterval{250};
  static constexpr int kIdlePolls = 1;

  using Stats = SendThreadStats;

  // Attaches to UDP socket `fd` and starts the thread. `maxQueuedBytes` is for tests.
  explicit UdpSender(int fd, size_t maxQueuedBytes = kMaxQueuedBytes);
  ~UdpSender();  // detaches, sends what is queued, stops the thread
  UdpSender(const UdpSender&) = delete;
  UdpSender& operator=(const UdpSender&) = delete;

  // Whether sofia-sip sends its datagrams through pbxkit's su_vsend in this process.
  static bool Active();
  // The sender attached to `fd`, or nullptr (for su_vsend and su_soerror).
  static UdpSender* Of(int fd);

  // Sends the datagram made of `iov` to `to`: queued, or at once. Returns what sendmsg()
  // would: the length (queued or dropped datagrams count as sent), or -1 and errno.
  ssize_t send(const iovec* iov, size_t iovCount, int flags, const sockaddr* to,
               socklen_t toLength);

  Stats stats() const;

 private:
  // A destination's family, port and address, as a key.
  using Destination = std::array<char, 24>;
  struct DestinationHash {
    size_t operator()(const Destination& d) const;
  };
  struct Datagram {
    sockaddr_storage to;
    socklen_t toLength;
    size_t offset;
    size_t size;
  };
  struct Queue {
    std::vector<char> bytes;
    std::vector<Datagram> datagrams;
  };

  static Destination KeyOf(const sockaddr* to, socklen_t toLength);
  ssize_t sendNow(const iovec* iov, size_t iovCount, int flags, const sockaddr* to,
                  socklen_t toLength);
  void run();
  void transmit(const Queue& queue);
  // Sends queue.datagrams[index] alone, after a failure; counts it if it fails again.
  void retry(const Queue& queue, size_t index);
  bool stopping();

  const int fd_;
  const size_t maxQueuedBytes_;
  std::mutex mutex_;
  std::condition_variable wake_;
  Queue pending_;                                           // guarded by mutex_
  std::unordered_set<Destination, DestinationHash> known_;  // guarded by mutex_
  std::vector<Destination> failedDestinations_;             // guarded by mutex_
  bool parked_ = false;                                     // guarded by mutex_
  bool stopping_ = false;                                   // guarded by mutex_
  std::atomic<uint64_t> queued_{0}, direct_{0}, dropped_{0}, failed_{0};
  ThreadCpuClock cpu_;
  std::thread thread_;
};

// Sends on `fd` as sofia-sip's sends go (su_vsend): through the sender attached to it when
// there is a destination, else at once.
ssize_t SendDatagram(int fd, const iovec* iov, size_t iovCount, int flags, const sockaddr* to,
                     socklen_t toLength);

}  // namespace pbx::sip::internal
