#include "lib/base/lag_probe.h"

#include <algorithm>

namespace pbx {

LagProbe::LagProbe(Dispatcher& dispatcher, std::chrono::milliseconds interval, Sample onSample)
    : time_(dispatcher.timeSource()),
      interval_(interval),
      onSample_(std::move(onSample)),
      timer_(dispatcher.createTimer([this] { fire(); })) {
  arm();
}

void LagProbe::arm() {
  due_ = time_.monotonicTime() + interval_;
  timer_->enable(interval_);
}

void LagProbe::fire() {
  auto late = std::chrono::duration_cast<std::chrono::microseconds>(time_.monotonicTime() - due_);
  arm();
  onSample_(std::max(late, std::chrono::microseconds(0)));
}

}  // namespace pbx
