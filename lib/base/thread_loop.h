// ThreadLoop: a Dispatcher with a thread of its own, for work that must not run on the
// signaling thread: delivering call events and operation results to the program's callbacks.
//
//   auto loop = ThreadLoop::Start("pbx-events", time);
//   loop->post([] { listener(event); });    // from any thread
//   loop.reset();                           // runs what is queued, then joins the thread
//
// Thread-safety: post() and isThreadSafe() from any thread; createTimer() and the timers'
// methods on the loop's thread (Dispatcher's rule).
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "pbx/base/dispatcher.h"

namespace pbx {

class ThreadLoop final : public Dispatcher {
 public:
  // Starts the thread, named `name` (at most 15 characters show in ps/top).
  static std::unique_ptr<ThreadLoop> Start(const std::string& name, const TimeSource& time);
  // Runs every callback already posted, then stops and joins the thread. Timers not yet due
  // are dropped.
  ~ThreadLoop() override;

  void post(Callback callback) override;
  TimerPtr createTimer(Callback callback) override;
  bool isThreadSafe() const override;
  const TimeSource& timeSource() const override { return time_; }

 private:
  class LoopTimer;
  using Key = std::pair<MonotonicTime, uint64_t>;

  explicit ThreadLoop(const TimeSource& time) : time_(time) {}
  void run(const std::string& name);
  void schedule(LoopTimer* timer, MonotonicTime due);  // loop thread
  void unschedule(LoopTimer* timer);                   // loop thread

  const TimeSource& time_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Callback> posted_;         // guarded by mutex_
  bool stopping_ = false;               // guarded by mutex_
  std::map<Key, LoopTimer*> schedule_;  // guarded by mutex_ (read by the waiting loop)
  uint64_t sequence_ = 0;
};

}  // namespace pbx
