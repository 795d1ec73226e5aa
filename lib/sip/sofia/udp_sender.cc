#include "lib/sip/sofia/udp_sender.h"

#include <dlfcn.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sofia-sip/su.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <string_view>

#include "lib/base/log.h"
#include "lib/sip/sofia/socket_registry.h"

namespace pbx::sip::internal {
namespace {

constexpr size_t kMaxKnownDestinations = 65536;  // past it, the set starts again
constexpr size_t kBatch = 64;                    // datagrams a sendmmsg() call
// How long the thread waits for room in the socket's send buffer, a datagram at a time.
constexpr int kSendBufferWaitMs = 100;
constexpr int kSendBufferWaits = 10;

SocketRegistry<UdpSender>& Senders() {
  static auto* registry = new SocketRegistry<UdpSender>;  // never destroyed: sofia may send
  return *registry;                                       // during exit
}

// Takes the socket's pending error, which the kernel would otherwise report as the failure
// of the next send: an ICMP error about an earlier datagram (sofia-sip clears it too).
int TakeSocketError(int fd) {
  int error = 0;
  socklen_t length = sizeof error;
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
  return error;
}

ssize_t SendMessage(int fd, const iovec* iov, size_t iovCount, int flags, const sockaddr* to,
                    socklen_t toLength) {
  msghdr header{};
  header.msg_name = const_cast<sockaddr*>(to);
  header.msg_namelen = toLength;
  header.msg_iov = const_cast<iovec*>(iov);
  header.msg_iovlen = iovCount;
  return sendmsg(fd, &header, flags);
}

bool SendBufferFull(int error) {
  return error == EAGAIN || error == EWOULDBLOCK || error == ENOBUFS;
}

}  // namespace

UdpSender::UdpSender(int fd, size_t maxQueuedBytes) : fd_(fd), maxQueuedBytes_(maxQueuedBytes) {
  thread_ = std::thread([this] { run(); });
  Senders().attach(fd_, this);
}

UdpSender::~UdpSender() {
  Senders().detach(this);
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

bool UdpSender::Active() {
  return dlsym(RTLD_DEFAULT, "su_vsend") == reinterpret_cast<void*>(&::su_vsend);
}

UdpSender* UdpSender::Of(int fd) { return Senders().find(fd); }

size_t UdpSender::DestinationHash::operator()(const Destination& d) const {
  return std::hash<std::string_view>()(std::string_view(d.data(), d.size()));
}

UdpSender::Destination UdpSender::KeyOf(const sockaddr* to, socklen_t toLength) {
  Destination key{};
  if (to->sa_family == AF_INET6 && toLength >= sizeof(sockaddr_in6)) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(to);
    std::memcpy(key.data(), &in6->sin6_family, 2);
    std::memcpy(key.data() + 2, &in6->sin6_port, 2);
    std::memcpy(key.data() + 4, &in6->sin6_addr, 16);
    std::memcpy(key.data() + 20, &in6->sin6_scope_id, 4);
  } else {
    std::memcpy(key.data(), to, std::min<size_t>(toLength, key.size()));
  }
  return key;
}

ssize_t UdpSender::send(const iovec* iov, size_t iovCount, int flags, const sockaddr* to,
                        socklen_t toLength) {
  size_t size = 0;
  for (size_t i = 0; i < iovCount; ++i) size += iov[i].iov_len;
  Destination key = KeyOf(to, toLength);
  {
    std::unique_lock lock(mutex_);
    for (const auto& failed : failedDestinations_) known_.erase(failed);
    failedDestinations_.clear();
    if (!stopping_ && known_.contains(key) && toLength <= sizeof(sockaddr_storage)) {
      if (pending_.bytes.size() + size > maxQueuedBytes_) {
        dropped_.fetch_add(1, std::memory_order_relaxed);
        return static_cast<ssize_t>(size);
      }
      Datagram& d = pending_.datagrams.emplace_back();
      std::memcpy(&d.to, to, toLength);
      d.toLength = toLength;
      d.offset = pending_.bytes.size();
      d.size = size;
      for (size_t i = 0; i < iovCount; ++i) {
        const char* base = static_cast<const char*>(iov[i].iov_base);
        pending_.bytes.insert(pending_.bytes.end(), base, base + iov[i].iov_len);
      }
      queued_.fetch_add(1, std::memory_order_relaxed);
      bool wake = parked_;
      lock.unlock();
      if (wake) wake_.notify_one();
      return static_cast<ssize_t>(size);
    }
  }
  ssize_t sent = sendNow(iov, iovCount, flags, to, toLength);
  direct_.fetch_add(1, std::memory_order_relaxed);
  if (sent >= 0) {
    std::lock_guard lock(mutex_);
    if (known_.size() >= kMaxKnownDestinations) known_.clear();
    known_.insert(key);
  }
  return sent;
}

ssize_t UdpSender::sendNow(const iovec* iov, size_t iovCount, int flags, const sockaddr* to,
                           socklen_t toLength) {
  TakeSocketError(fd_);
  return SendMessage(fd_, iov, iovCount, flags, to, toLength);
}

ssize_t SendDatagram(int fd, const iovec* iov, size_t iovCount, int flags, const sockaddr* to,
                     socklen_t toLength) {
  if (to != nullptr && toLength > 0) {
    if (UdpSender* sender = UdpSender::Of(fd))
      return sender->send(iov, iovCount, flags, to, toLength);
  }
  return SendMessage(fd, iov, iovCount, flags, to, toLength);
}

UdpSender::Stats UdpSender::stats() const {
  return Stats{queued_.load(std::memory_order_relaxed), direct_.load(std::memory_order_relaxed),
               dropped_.load(std::memory_order_relaxed), failed_.load(std::memory_order_relaxed),
               cpu_.seconds()};
}

void UdpSender::run() {
  pthread_setname_np(pthread_self(), "pbx-sip-send");
  cpu_.start();
  Queue sending;
  int idle = 0;
  std::unique_lock lock(mutex_);
  for (;;) {
    if (!pending_.datagrams.empty()) {
      std::swap(pending_, sending);
      lock.unlock();
      transmit(sending);
      sending.bytes.clear();
      sending.datagrams.clear();
      idle = 0;
      lock.lock();
      continue;
    }
    if (stopping_) break;
    if (idle < kIdlePolls) {
      ++idle;
      lock.unlock();
      std::this_thread::sleep_for(kPollInterval);
      lock.lock();
      continue;
    }
    parked_ = true;
    wake_.wait(lock, [this] { return stopping_ || !pending_.datagrams.empty(); });
    parked_ = false;
    idle = 0;
  }
  lock.unlock();
  cpu_.finish();
}

void UdpSender::transmit(const Queue& queue) {
  std::array<mmsghdr, kBatch> headers;
  std::array<iovec, kBatch> iovs;
  const size_t count = queue.datagrams.size();
  for (size_t next = 0; next < count;) {
    const size_t batch = std::min(kBatch, count - next);
    for (size_t i = 0; i < batch; ++i) {
      const Datagram& d = queue.datagrams[next + i];
      iovs[i] = iovec{const_cast<char*>(queue.bytes.data() + d.offset), d.size};
      headers[i] = mmsghdr{};
      headers[i].msg_hdr.msg_name = const_cast<sockaddr_storage*>(&d.to);
      headers[i].msg_hdr.msg_namelen = d.toLength;
      headers[i].msg_hdr.msg_iov = &iovs[i];
      headers[i].msg_hdr.msg_iovlen = 1;
    }
    int sent = sendmmsg(fd_, headers.data(), static_cast<unsigned>(batch), MSG_NOSIGNAL);
    if (sent > 0) {
      next += static_cast<size_t>(sent);
      continue;
    }
    if (sent < 0 && errno == EINTR) continue;
    retry(queue, next);
    ++next;
  }
}

void UdpSender::retry(const Queue& queue, size_t index) {
  const Datagram& d = queue.datagrams[index];
  iovec iov{const_cast<char*>(queue.bytes.data() + d.offset), d.size};
  int error = errno;
  for (int waits = 0;; ++waits) {
    if (SendBufferFull(error)) {
      // A second at most, and one wait once the destructor is sending what is left, so
      // that a socket that takes nothing cannot hold a shutdown for long.
      if (waits == kSendBufferWaits || (waits > 0 && stopping())) break;
      pollfd p{fd_, POLLOUT, 0};
      poll(&p, 1, kSendBufferWaitMs);
    } else if (waits > 0) {
      break;  // the second failure that is not for room
    }
    // Also clears an error left by an ICMP message about an earlier datagram, which the
    // kernel reports as this send's failure.
    if (sendNow(&iov, 1, MSG_NOSIGNAL, reinterpret_cast<const sockaddr*>(&d.to), d.toLength) >= 0)
      return;
    error = errno;
  }
  uint64_t failed = failed_.fetch_add(1, std::memory_order_relaxed) + 1;
  {
    std::lock_guard lock(mutex_);
    failedDestinations_.push_back(KeyOf(reinterpret_cast<const sockaddr*>(&d.to), d.toLength));
  }
  if ((failed & (failed - 1)) == 0)  // the 1st, 2nd, 4th, 8th … failure
    PBX_LOG(kWarning, "sip", "", "UDP send failed: {} ({} so far)", std::strerror(error), failed);
}

bool UdpSender::stopping() {
  std::lock_guard lock(mutex_);
  return stopping_;
}

}  // namespace pbx::sip::internal

// Takes the place of libsofia's su_vsend (see udp_sender.h): the sender attached to the socket
// sends the datagram, else it goes out as sofia's own would send it.
issize_t su_vsend(su_socket_t s, su_iovec_t const iov[], isize_t iovlen, int flags,
                  su_sockaddr_t const* su, socklen_t sulen) {
  return pbx::sip::internal::SendDatagram(s, reinterpret_cast<const iovec*>(iov),
                                          static_cast<size_t>(iovlen), flags,
                                          su ? &su->su_sa : nullptr, sulen);
}

// Takes the place of libsofia's su_soerror: sofia-sip clears the socket's error before every
// UDP send, a getsockopt() on the signaling thread each time; with a sender attached, the
// sender clears it where it sends (and su_soerror's one other caller on a UDP socket is not
// built on Linux, which reports UDP errors through IP_RECVERR).
int su_soerror(su_socket_t s) {
  if (pbx::sip::internal::UdpSender::Of(s) != nullptr) return 0;
  return pbx::sip::internal::TakeSocketError(s);
}
