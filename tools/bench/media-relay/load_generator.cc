#include "tools/bench/media-relay/load_generator.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

namespace pbx::bench {
namespace {

void PutBigEndian32(uint8_t* at, uint32_t value) {
  at[0] = static_cast<uint8_t>(value >> 24);
  at[1] = static_cast<uint8_t>(value >> 16);
  at[2] = static_cast<uint8_t>(value >> 8);
  at[3] = static_cast<uint8_t>(value);
}

}  // namespace

bool LoadGenerator::open(size_t calls) {
  epollFd_ = epoll_create1(EPOLL_CLOEXEC);
  for (size_t i = 0; i < 2 * calls; ++i) {
    const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof local;
    if (bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) != 0) {
      close(fd);
      return false;
    }
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = fd;
    epoll_ctl(epollFd_, EPOLL_CTL_ADD, fd, &event);
    fds_.push_back(fd);
    addresses_.push_back(*SocketAddress::Parse("127.0.0.1", ntohs(local.sin_port)));
  }
  targets_.assign(fds_.size(), {});
  return true;
}

LoadGenerator::~LoadGenerator() {
  stop();
  for (int fd : fds_) close(fd);
  if (epollFd_ >= 0) close(epollFd_);
}

void LoadGenerator::setTarget(size_t call, int side, const SocketAddress& target) {
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(target.port());
  inet_pton(AF_INET, target.ip().c_str(), &to.sin_addr);
  std::vector<uint8_t>& bytes = targets_[2 * call + side];
  bytes.resize(sizeof to);
  std::memcpy(bytes.data(), &to, sizeof to);
}

void LoadGenerator::start() {
  sending_ = true;
  receiving_ = true;
  receiver_ = std::thread([this] { receiveLoop(); });
  sender_ = std::thread([this] { sendLoop(); });
}

void LoadGenerator::stop() {
  if (!sender_.joinable()) return;
  sending_ = false;
  sender_.join();
  // Let what is in flight arrive: stop once nothing new came for 300 ms.
  uint64_t last = received_.load();
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const uint64_t now = received_.load();
    if (now == last) break;
    last = now;
  }
  receiving_ = false;
  receiver_.join();
}

void LoadGenerator::sendLoop() {
  uint8_t packet[kPacketSize];
  std::memset(packet, 0xff, sizeof packet);  // µ-law silence
  packet[0] = 0x80;
  packet[1] = 0x00;  // PT 0 (PCMU)
  const auto period = std::chrono::microseconds(1000000 / kPacketsPerSecond);
  auto next = std::chrono::steady_clock::now();
  uint16_t sequence = 0;
  uint32_t timestamp = 0;
  while (sending_.load(std::memory_order_relaxed)) {
    ++sequence;
    timestamp += 160;  // 20 ms at 8 kHz
    packet[2] = static_cast<uint8_t>(sequence >> 8);
    packet[3] = static_cast<uint8_t>(sequence);
    PutBigEndian32(packet + 4, timestamp);
    uint64_t sent = 0;
    for (size_t i = 0; i < fds_.size(); ++i) {
      // A stream of its own per socket, as a relay that keeps per-SSRC state expects.
      PutBigEndian32(packet + 8, static_cast<uint32_t>(i + 1));
      const std::vector<uint8_t>& to = targets_[i];
      if (sendto(fds_[i], packet, sizeof packet, 0, reinterpret_cast<const sockaddr*>(to.data()),
                 static_cast<socklen_t>(to.size())) == static_cast<ssize_t>(sizeof packet)) {
        ++sent;
      }
    }
    sent_.fetch_add(sent, std::memory_order_relaxed);
    next += period;
    if (std::chrono::steady_clock::now() > next) {
      lateTicks_.fetch_add(1, std::memory_order_relaxed);
    } else {
      std::this_thread::sleep_until(next);
    }
  }
}

void LoadGenerator::receiveLoop() {
  constexpr int kBatch = 32;
  static thread_local uint8_t buffers[kBatch][2048];
  mmsghdr messages[kBatch];
  iovec vectors[kBatch];
  epoll_event events[256];
  while (receiving_.load(std::memory_order_relaxed)) {
    const int count = epoll_wait(epollFd_, events, 256, 50);
    for (int e = 0; e < count; ++e) {
      for (;;) {
        std::memset(messages, 0, sizeof messages);
        for (int i = 0; i < kBatch; ++i) {
          vectors[i] = {buffers[i], sizeof buffers[i]};
          messages[i].msg_hdr.msg_iov = &vectors[i];
          messages[i].msg_hdr.msg_iovlen = 1;
        }
        const int n = recvmmsg(events[e].data.fd, messages, kBatch, MSG_DONTWAIT, nullptr);
        if (n <= 0) break;
        received_.fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
        if (n < kBatch) break;
      }
    }
  }
}

}  // namespace pbx::bench
