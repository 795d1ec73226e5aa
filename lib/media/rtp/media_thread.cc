#include "lib/media/rtp/media_thread.h"

#include <errno.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include "lib/base/log.h"

namespace pbx::media::internal {
namespace {

constexpr int kEventsPerWait = 64;

}  // namespace

absl::StatusOr<std::unique_ptr<MediaThread>> MediaThread::Create(int index, const TimeSource& time,
                                                                 PortAllocator& ports) {
  const int epollFd = epoll_create1(EPOLL_CLOEXEC);
  if (epollFd < 0) return absl::InternalError(std::string("epoll_create1: ") + strerror(errno));
  const int wakeFd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wakeFd < 0) {
    const int error = errno;
    close(epollFd);
    return absl::InternalError(std::string("eventfd: ") + strerror(error));
  }
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.ptr = nullptr;  // the wake-up fd; sockets carry their PortPair::Slot
  if (epoll_ctl(epollFd, EPOLL_CTL_ADD, wakeFd, &event) != 0) {
    const int error = errno;
    close(wakeFd);
    close(epollFd);
    return absl::InternalError(std::string("epoll_ctl: ") + strerror(error));
  }
  return std::unique_ptr<MediaThread>(new MediaThread(index, time, ports, epollFd, wakeFd));
}

MediaThread::MediaThread(int index, const TimeSource& time, PortAllocator& ports, int epollFd,
                         int wakeFd)
    : index_(index),
      time_(time),
      ports_(ports),
      epollFd_(epollFd),
      wakeFd_(wakeFd),
      batch_(std::make_unique<PacketBatch>()) {
  thread_ = std::thread([this] { run(); });
}

MediaThread::~MediaThread() {
  post([this] { running_ = false; });
  thread_.join();
  close(wakeFd_);
  close(epollFd_);
}

void MediaThread::post(Callback callback, Wake wake) {
  bool signal;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(std::move(callback));
    // One eventfd write until the thread has taken the queue; a long queue wakes it anyway.
    signal = (wake == Wake::kNow || queue_.size() >= kSoonBatch) && !wakeSignalled_;
    if (signal) wakeSignalled_ = true;
  }
  if (signal) {
    const uint64_t one = 1;
    ssize_t written;
    do {
      written = write(wakeFd_, &one, sizeof one);
    } while (written < 0 && errno == EINTR);
  }
}

PortPair* MediaThread::takeIdlePair(MonotonicTime now, bool anyAge) {
  std::lock_guard<std::mutex> lock(poolMutex_);
  if (idle_.empty()) return nullptr;
  PortPair* pair = idle_.front();
  if (!anyAge && now - pair->idleSince < kReuseAfter) return nullptr;
  idle_.pop_front();
  pair->idle = false;
  return pair;
}

void MediaThread::giveBack(PortPair* pair) {
  std::lock_guard<std::mutex> lock(poolMutex_);
  pair->idle = true;
  idle_.push_front(pair);  // it was the one idle longest, and keeps its idleSince
}

size_t MediaThread::idlePairs() const {
  std::lock_guard<std::mutex> lock(poolMutex_);
  return idle_.size();
}

void MediaThread::addRelay(std::shared_ptr<RelayCore> relay,
                           std::vector<std::unique_ptr<PortPair>> bound) {
  load_.fetch_add(1, std::memory_order_relaxed);
  // A Callback must be copyable: the new pairs travel in a shared holder (none when warm).
  using Pairs = std::vector<std::unique_ptr<PortPair>>;
  auto pairs = bound.empty() ? nullptr : std::make_shared<Pairs>(std::move(bound));
  post([this, relay = std::move(relay),
        pairs = std::move(pairs)] { registerRelay(relay, pairs.get()); },
       Wake::kSoon);
}

void MediaThread::closeRelay(std::shared_ptr<RelayCore> relay) {
  load_.fetch_sub(1, std::memory_order_relaxed);
  // The pairs can be reused once the close has run: while ports are plentiful that can wait
  // for the thread's next wakeup, but when a quarter or less of the range is free it must not.
  const bool scarce = ports_.freePairs() * 4 <= ports_.pairCount();
  post([this, relay = std::move(relay)] { unregisterRelay(relay.get()); },
       scarce ? Wake::kNow : Wake::kSoon);
}

void MediaThread::registerRelay(const std::shared_ptr<RelayCore>& relay,
                                std::vector<std::unique_ptr<PortPair>>* bound) {
  if (bound != nullptr) {
    for (std::unique_ptr<PortPair>& pair : *bound) {
      for (Channel channel : {Channel::kRtp, Channel::kRtcp}) {
        epoll_event event{};
        event.events = EPOLLIN;
        event.data.ptr = pair->slot(channel);
        if (epoll_ctl(epollFd_, EPOLL_CTL_ADD, pair->fd(channel), &event) != 0) {
          PBX_LOG(kError, "media", relay->name(), "epoll_ctl add: {}", strerror(errno));
        }
      }
      PortPair* raw = pair.get();
      pairs_.emplace(raw, std::move(pair));
    }
  }
  for (RelaySide side : {RelaySide::kA, RelaySide::kB}) {
    PortPair* pair = relay->pair(side);
    pair->owner = relay.get();
    pair->side = side;
  }
  relays_.emplace(relay.get(), relay);
}

void MediaThread::updateTicking(RelayCore& relay) {
  const bool wanted = relay.terminating();
  if (wanted == relay.ticking) return;
  relay.ticking = wanted;
  if (wanted) {
    if (ticking_.empty()) nextTick_ = time_.monotonicTime() + kTick;
    ticking_.push_back(&relay);
  } else {
    std::erase(ticking_, &relay);
    relay.tick(time_.monotonicTime());  // publishes that it relays again
  }
}

void MediaThread::tick(MonotonicTime now) {
  if (ticking_.empty() || now < nextTick_) return;
  for (RelayCore* relay : ticking_) relay->tick(now);
  // A relay whose last operation ended on this tick forwards again.
  std::erase_if(ticking_, [](RelayCore* relay) {
    if (relay->terminating()) return false;
    relay->ticking = false;
    return true;
  });
  nextTick_ += kTick;
  // Far behind (the thread was starved): start the cadence again rather than burst.
  if (now - nextTick_ > 5 * kTick) nextTick_ = now + kTick;
}

int MediaThread::waitMs(MonotonicTime now) const {
  const int soonMs = static_cast<int>(kSoonDelay.count());
  if (ticking_.empty()) return soonMs;
  if (now >= nextTick_) return 0;
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(nextTick_ - now);
  return std::min(soonMs, static_cast<int>(left.count()));
}

void MediaThread::unregisterRelay(RelayCore* relay) {
  auto it = relays_.find(relay);
  if (it == relays_.end()) return;
  if (relay->ticking) {
    std::erase(ticking_, relay);
    relay->ticking = false;
  }
  const MonotonicTime now = time_.monotonicTime();
  std::lock_guard<std::mutex> lock(poolMutex_);
  for (RelaySide side : {RelaySide::kA, RelaySide::kB}) {
    PortPair* pair = relay->pair(side);
    pair->owner = nullptr;
    pair->idle = true;
    pair->idleSince = now;
    idle_.push_back(pair);
  }
  relays_.erase(it);
}

void MediaThread::onReadable(PortPair::Slot& slot, MonotonicTime now) {
  PortPair& pair = *slot.pair;
  if (pair.owner != nullptr) {
    pair.owner->onReadable(pair.side, slot.channel, *batch_, now, counters_);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(poolMutex_);
    // Taken for a relay whose registration is posted but has not run: the packets are its.
    if (!pair.idle) return;
  }
  // Idle: whatever arrives is late media of an ended call or a stranger's; drop it.
  ReadSocket(pair.fd(slot.channel), *batch_,
             [&](size_t count) { Add(counters_.packetsDropped, count); });
}

void MediaThread::closeIdlePairs(MonotonicTime now, bool all) {
  std::vector<PortPair*> expired;
  {
    std::lock_guard<std::mutex> lock(poolMutex_);
    while (!idle_.empty() && (all || now - idle_.front()->idleSince >= kIdleClose)) {
      expired.push_back(idle_.front());
      idle_.pop_front();
    }
  }
  for (PortPair* pair : expired) {
    const uint16_t port = pair->rtpPort;
    // Closing the sockets takes them out of the epoll set; the port is free again after.
    pairs_.erase(pair);
    ports_.release(port);
  }
}

void MediaThread::runPosted() {
  std::vector<Callback> work;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    work.swap(queue_);
    wakeSignalled_ = false;
  }
  for (Callback& callback : work) callback();
}

void MediaThread::run() {
  threadId_.store(std::this_thread::get_id());
  const std::string name = "pbx-media-" + std::to_string(index_);
  pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
  cpu_.start();

  epoll_event events[kEventsPerWait];
  while (running_) {
    int count = epoll_wait(epollFd_, events, kEventsPerWait, waitMs(time_.monotonicTime()));
    if (count < 0) {
      if (errno != EINTR) {
        PBX_LOG(kError, "media", name, "epoll_wait: {}", strerror(errno));
        break;
      }
      count = 0;
    }
    for (int i = 0; i < count; ++i) {
      if (events[i].data.ptr != nullptr) continue;
      uint64_t ignored;
      while (read(wakeFd_, &ignored, sizeof ignored) < 0 && errno == EINTR) {
      }
    }
    // Posted work first, so a change made before a packet was sent applies to that packet.
    runPosted();
    const MonotonicTime now = time_.monotonicTime();
    for (int i = 0; i < count; ++i) {
      auto* slot = static_cast<PortPair::Slot*>(events[i].data.ptr);
      // A pair closed above (expired) is not in this batch: expiry runs after it.
      if (slot != nullptr) onReadable(*slot, now);
    }
    tick(time_.monotonicTime());
    closeIdlePairs(now, /*all=*/false);
  }
  // Relays are closed before the engine goes; any left here means a bug upstream, but their
  // sockets and ports are still given back.
  while (!relays_.empty()) unregisterRelay(relays_.begin()->first);
  closeIdlePairs(time_.monotonicTime(), /*all=*/true);
  cpu_.finish();
}

}  // namespace pbx::media::internal
