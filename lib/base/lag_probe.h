// LagProbe: how late a dispatcher runs its timers — the loop lag. Every `interval` it arms a
// timer; when the timer runs, it reports how far past its due time that was. A loop that is
// keeping up reports a few microseconds; one that is saturated, or blocked by a long
// callback, reports how long a timer (a retransmission, a no-answer timeout) had to wait.
//
//   LagProbe probe(loop, std::chrono::milliseconds(100), [&](std::chrono::microseconds lag) {
//     histogram.observe(lag.count() / 1e6);
//   });
//
// Thread-safety: create, use and destroy it on the dispatcher's thread; `onSample` runs there.
#pragma once

#include <chrono>
#include <functional>

#include "pbx/base/dispatcher.h"

namespace pbx {

class LagProbe {
 public:
  using Sample = std::function<void(std::chrono::microseconds lag)>;
  LagProbe(Dispatcher& dispatcher, std::chrono::milliseconds interval, Sample onSample);

 private:
  void arm();
  void fire();

  const TimeSource& time_;
  std::chrono::milliseconds interval_;
  Sample onSample_;
  MonotonicTime due_{};
  TimerPtr timer_;
};

}  // namespace pbx
