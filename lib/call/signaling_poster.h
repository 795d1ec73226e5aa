// SignalingPoster: posts work to the signaling thread from any thread, for as long as that
// thread runs. Callbacks that outlive the PBX (a dialplan's decision arriving late, an API call
// on a stopped PBX) hold it by shared_ptr and find it closed instead of a dead dispatcher.
//
// Thread-safety: thread-safe.
#pragma once

#include <memory>
#include <mutex>

#include "pbx/base/dispatcher.h"

namespace pbx::call {

class SignalingPoster {
 public:
  // Closed until open().
  SignalingPoster() = default;

  // From the signaling thread, once it runs.
  void open(Dispatcher& dispatcher) {
    std::lock_guard<std::mutex> lock(mutex_);
    dispatcher_ = &dispatcher;
  }

  // Queues `callback` on the signaling thread; false once closed.
  bool post(Dispatcher::Callback callback) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (dispatcher_ == nullptr) return false;
    dispatcher_->post(std::move(callback));
    return true;
  }
  // From the signaling thread, before its loop goes away.
  void close() {
    std::lock_guard<std::mutex> lock(mutex_);
    dispatcher_ = nullptr;
  }

 private:
  std::mutex mutex_;
  Dispatcher* dispatcher_ = nullptr;
};

}  // namespace pbx::call
