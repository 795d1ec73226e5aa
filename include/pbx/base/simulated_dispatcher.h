// SimulatedDispatcher: a Dispatcher whose timers follow a SimulatedTimeSource.
//
// Nothing runs on its own: a test calls runPending() to run posted work, and advance() to
// move simulated time forward, firing each timer at its due time in order (posted work that
// a timer produces runs before the clock moves on). This is the loop behind pbx/testing.
//
//   pbx::SimulatedTimeSource time;
//   pbx::SimulatedDispatcher loop(time);
//   auto timer = loop.createTimer([&] { fired = true; });
//   timer->enable(std::chrono::seconds(5));
//   loop.advance(std::chrono::seconds(4));  // fired == false
//   loop.advance(std::chrono::seconds(1));  // fired == true
//
// Thread-safety: post() from any thread; everything else from the thread that drives it.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "pbx/base/dispatcher.h"

namespace pbx {

class SimulatedDispatcher final : public Dispatcher {
 public:
  explicit SimulatedDispatcher(SimulatedTimeSource& time);
  ~SimulatedDispatcher() override;

  void post(Callback callback) override;
  TimerPtr createTimer(Callback callback) override;
  bool isThreadSafe() const override;
  const TimeSource& timeSource() const override { return time_; }

  // Runs posted callbacks (and those they post) until the queue is empty. Returns how many ran.
  size_t runPending();
  // Moves time forward by `delta`, firing due timers in due-time order.
  void advance(std::chrono::milliseconds delta);
  // Moves time to the next armed timer and fires it; false when no timer is armed.
  bool advanceToNextTimer();
  // Number of armed timers.
  size_t armedTimers() const { return schedule_.size(); }

 private:
  class SimTimer;
  using Key = std::pair<MonotonicTime, uint64_t>;

  void schedule(SimTimer* timer, MonotonicTime due);
  void unschedule(SimTimer* timer);
  void fireDue(MonotonicTime until);

  SimulatedTimeSource& time_;
  std::thread::id owner_;
  std::mutex mutex_;
  std::vector<Callback> posted_;  // guarded by mutex_
  std::map<Key, SimTimer*> schedule_;
  uint64_t sequence_ = 0;
};

}  // namespace pbx
