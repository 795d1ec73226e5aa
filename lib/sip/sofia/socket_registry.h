// SocketRegistry: which object is attached to which of sofia-sip's sockets, for the functions
// that take the place of libsofia's socket calls (udp_screen.cc, udp_sender.cc). They run for
// every datagram sofia reads or sends, so the common case of nothing attached takes no lock.
//
// Thread-safety: all members, any thread.
#pragma once

#include <algorithm>
#include <atomic>
#include <mutex>
#include <utility>
#include <vector>

namespace pbx::sip::internal {

template <typename T>
class SocketRegistry {
 public:
  void attach(int fd, T* object) {
    std::lock_guard lock(mutex_);
    entries_.emplace_back(fd, object);
    count_.store(entries_.size(), std::memory_order_release);
  }
  void detach(const T* object) {
    std::lock_guard lock(mutex_);
    std::erase_if(entries_, [object](const auto& entry) { return entry.second == object; });
    count_.store(entries_.size(), std::memory_order_release);
  }
  T* find(int fd) {
    if (count_.load(std::memory_order_acquire) == 0) return nullptr;
    std::lock_guard lock(mutex_);
    for (auto& [attached, object] : entries_)
      if (attached == fd) return object;
    return nullptr;
  }

 private:
  std::mutex mutex_;
  std::vector<std::pair<int, T*>> entries_;
  std::atomic<size_t> count_{0};
};

}  // namespace pbx::sip::internal
