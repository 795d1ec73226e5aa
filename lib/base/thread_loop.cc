#include "lib/base/thread_loop.h"

#include <pthread.h>

namespace pbx {

class ThreadLoop::LoopTimer final : public Timer {
 public:
  LoopTimer(ThreadLoop& loop, Callback callback) : loop_(loop), callback_(std::move(callback)) {}
  ~LoopTimer() override { disable(); }

  void enable(std::chrono::milliseconds delay) override {
    disable();
    loop_.schedule(this, loop_.time_.monotonicTime() + delay);
  }
  void disable() override {
    if (armed_) loop_.unschedule(this);
  }
  bool enabled() const override { return armed_; }

  void fire() {
    armed_ = false;
    callback_();
  }

  ThreadLoop& loop_;
  Callback callback_;
  bool armed_ = false;
  Key key_{};
};

std::unique_ptr<ThreadLoop> ThreadLoop::Start(const std::string& name, const TimeSource& time) {
  std::unique_ptr<ThreadLoop> loop(new ThreadLoop(time));
  loop->thread_ = std::thread([raw = loop.get(), name] { raw->run(name); });
  return loop;
}

ThreadLoop::~ThreadLoop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void ThreadLoop::post(Callback callback) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    posted_.push_back(std::move(callback));
  }
  wake_.notify_one();
}

TimerPtr ThreadLoop::createTimer(Callback callback) {
  return std::make_unique<LoopTimer>(*this, std::move(callback));
}

bool ThreadLoop::isThreadSafe() const { return std::this_thread::get_id() == thread_.get_id(); }

void ThreadLoop::schedule(LoopTimer* timer, MonotonicTime due) {
  std::lock_guard<std::mutex> lock(mutex_);
  timer->key_ = {due, ++sequence_};
  timer->armed_ = true;
  schedule_.emplace(timer->key_, timer);
}

void ThreadLoop::unschedule(LoopTimer* timer) {
  std::lock_guard<std::mutex> lock(mutex_);
  schedule_.erase(timer->key_);
  timer->armed_ = false;
}

void ThreadLoop::run(const std::string& name) {
  pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    if (!posted_.empty()) {
      Callback callback = std::move(posted_.front());
      posted_.pop_front();
      lock.unlock();
      callback();
      lock.lock();
      continue;
    }
    if (stopping_) return;
    if (schedule_.empty()) {
      wake_.wait(lock);
      continue;
    }
    auto first = schedule_.begin();
    if (first->first.first > time_.monotonicTime()) {
      wake_.wait_until(lock, first->first.first);
      continue;
    }
    LoopTimer* timer = first->second;
    schedule_.erase(first);
    lock.unlock();
    timer->fire();
    lock.lock();
  }
}

}  // namespace pbx
