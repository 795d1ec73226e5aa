#include "lib/base/thread_cpu_clock.h"

#include <pthread.h>

namespace pbx {

void ThreadCpuClock::start() {
  std::lock_guard<std::mutex> lock(mutex_);
  running_ = pthread_getcpuclockid(pthread_self(), &clock_) == 0;
}

void ThreadCpuClock::finish() {
  std::lock_guard<std::mutex> lock(mutex_);
  frozen_ = readLocked();
  // The clock names this thread's id, which the kernel hands out again once it has ended.
  running_ = false;
}

double ThreadCpuClock::seconds() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return readLocked();
}

double ThreadCpuClock::readLocked() const {
  timespec ts{};
  if (!running_ || clock_gettime(clock_, &ts) != 0) return frozen_;
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace pbx
