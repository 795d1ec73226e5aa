// SofiaEventLoop: the EventLoop over a sofia su_root (single-threaded mode).
//
// post() queues callbacks under a mutex and wakes the root through an eventfd registered
// with su_root_register; timers are su_timers. The root is created in the constructor, so
// construct the loop on the thread that will call run().
//
// Thread-safety: post() and stop() from any thread; the rest on the loop's thread.
#pragma once

#include <sofia-sip/su_wait.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "pbx/base/dispatcher.h"

namespace pbx::sip::internal {

class SofiaEventLoop final : public EventLoop {
 public:
  static absl::StatusOr<std::unique_ptr<SofiaEventLoop>> Create();
  ~SofiaEventLoop() override;

  void post(Callback callback) override;
  TimerPtr createTimer(Callback callback) override;
  bool isThreadSafe() const override { return std::this_thread::get_id() == owner_; }
  const TimeSource& timeSource() const override { return time_; }
  void run() override;
  void stop() override;

  su_root_t* root() const { return root_; }

 private:
  SofiaEventLoop() = default;
  absl::Status init();
  static int onWakeup(su_root_magic_t*, su_wait_t*, su_wakeup_arg_t* arg);
  void drainPosted();

  RealTimeSource time_;
  std::thread::id owner_ = std::this_thread::get_id();
  su_root_t* root_ = nullptr;
  su_wait_t wait_[1];
  int eventfd_ = -1;
  int registration_ = -1;
  std::mutex mutex_;
  std::vector<Callback> posted_;
  std::atomic<bool> stopRequested_{false};
};

}  // namespace pbx::sip::internal
