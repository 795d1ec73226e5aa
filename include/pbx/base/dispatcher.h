// Dispatcher: an event loop that owns a thread's work.
//
// Every event loop in pbxkit (the signaling loop, each media thread, the simulated loop in
// tests) is a Dispatcher. Work for a loop is post()ed to it from any thread and runs on the
// loop's thread; objects owned by a loop are only touched from that loop.
//
//   pbx::TimerPtr timer = dispatcher.createTimer([&] { onNoAnswer(); });
//   timer->enable(std::chrono::seconds(30));   // destroying `timer` cancels it
//   dispatcher.post([=] { ... });              // from any thread
//
// Thread-safety: post() and isThreadSafe() may be called from any thread; createTimer() and
// the Timer methods only from the dispatcher's own thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "pbx/base/time_source.h"

namespace pbx {

// A one-shot timer owned by its creator. Destroying it cancels it.
class Timer {
 public:
  virtual ~Timer() = default;
  // (Re)arms the timer to fire once after `delay`.
  virtual void enable(std::chrono::milliseconds delay) = 0;
  virtual void disable() = 0;
  virtual bool enabled() const = 0;
};
using TimerPtr = std::unique_ptr<Timer>;

class Dispatcher {
 public:
  using Callback = std::function<void()>;

  virtual ~Dispatcher() = default;
  // Queues `callback` to run on the dispatcher's thread. Safe from any thread, including the
  // dispatcher's own (the callback then runs after the current one returns).
  virtual void post(Callback callback) = 0;
  // Creates a disarmed timer whose callback runs on the dispatcher's thread.
  virtual TimerPtr createTimer(Callback callback) = 0;
  // True when called from the dispatcher's own thread.
  virtual bool isThreadSafe() const = 0;
  // The clock timers of this dispatcher follow.
  virtual const TimeSource& timeSource() const = 0;
};
using DispatcherPtr = std::unique_ptr<Dispatcher>;

}  // namespace pbx

namespace pbx {

// A Dispatcher with its own loop: run() on the thread that created it, stop() from anywhere.
class EventLoop : public Dispatcher {
 public:
  // Runs until stop(). Must be called on the thread that created the loop.
  virtual void run() = 0;
  // Makes run() return after the current callback. Thread-safe.
  virtual void stop() = 0;
};
using EventLoopPtr = std::unique_ptr<EventLoop>;

}  // namespace pbx
