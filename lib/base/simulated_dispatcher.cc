#include "pbx/base/simulated_dispatcher.h"

#include <cassert>

namespace pbx {

class SimulatedDispatcher::SimTimer final : public Timer {
 public:
  SimTimer(SimulatedDispatcher& owner, Callback callback)
      : owner_(owner), callback_(std::move(callback)) {}
  ~SimTimer() override { disable(); }

  void enable(std::chrono::milliseconds delay) override {
    disable();
    owner_.schedule(this, owner_.time_.monotonicTime() + delay);
  }
  void disable() override {
    if (armed_) owner_.unschedule(this);
  }
  bool enabled() const override { return armed_; }

  void fire() {
    armed_ = false;
    callback_();
  }

  SimulatedDispatcher& owner_;
  Callback callback_;
  bool armed_ = false;
  Key key_{};
};

SimulatedDispatcher::SimulatedDispatcher(SimulatedTimeSource& time)
    : time_(time), owner_(std::this_thread::get_id()) {}

SimulatedDispatcher::~SimulatedDispatcher() {
  for (auto& [key, timer] : schedule_) timer->armed_ = false;
}

void SimulatedDispatcher::post(Callback callback) {
  std::lock_guard<std::mutex> lock(mutex_);
  posted_.push_back(std::move(callback));
}

TimerPtr SimulatedDispatcher::createTimer(Callback callback) {
  return std::make_unique<SimTimer>(*this, std::move(callback));
}

bool SimulatedDispatcher::isThreadSafe() const { return std::this_thread::get_id() == owner_; }

size_t SimulatedDispatcher::runPending() {
  size_t ran = 0;
  for (;;) {
    std::vector<Callback> batch;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      batch.swap(posted_);
    }
    if (batch.empty()) return ran;
    for (auto& cb : batch) {
      cb();
      ++ran;
    }
  }
}

void SimulatedDispatcher::schedule(SimTimer* timer, MonotonicTime due) {
  timer->key_ = Key(due, ++sequence_);
  timer->armed_ = true;
  schedule_.emplace(timer->key_, timer);
}

void SimulatedDispatcher::unschedule(SimTimer* timer) {
  schedule_.erase(timer->key_);
  timer->armed_ = false;
}

void SimulatedDispatcher::fireDue(MonotonicTime until) {
  runPending();
  while (!schedule_.empty() && schedule_.begin()->first.first <= until) {
    auto it = schedule_.begin();
    SimTimer* timer = it->second;
    MonotonicTime due = it->first.first;
    schedule_.erase(it);
    if (due > time_.monotonicTime()) time_.advance(due - time_.monotonicTime());
    timer->fire();
    runPending();
  }
}

void SimulatedDispatcher::advance(std::chrono::milliseconds delta) {
  MonotonicTime until = time_.monotonicTime() + delta;
  fireDue(until);
  if (until > time_.monotonicTime()) time_.advance(until - time_.monotonicTime());
  runPending();
}

bool SimulatedDispatcher::advanceToNextTimer() {
  runPending();
  if (schedule_.empty()) return false;
  fireDue(schedule_.begin()->first.first);
  return true;
}

}  // namespace pbx
