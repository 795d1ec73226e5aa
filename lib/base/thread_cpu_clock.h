// ThreadCpuClock: the CPU time one thread has used, readable from any thread, and still after
// the thread has ended (frozen at its last value). The rate of it is the thread's load: 1.0
// means the thread had a core to itself and used all of it.
//
//   ThreadCpuClock clock;
//   std::thread t([&] { clock.start(); work(); clock.finish(); });
//   double seconds = clock.seconds();   // from any thread, at any time
//
// Thread-safety: start() and finish() on the measured thread; seconds() on any thread.
#pragma once

#include <ctime>
#include <mutex>

namespace pbx {

class ThreadCpuClock {
 public:
  void start();   // on the measured thread, before its work
  void finish();  // on the measured thread, after its work: freezes the value
  double seconds() const;

 private:
  double readLocked() const;

  mutable std::mutex mutex_;
  clockid_t clock_{};
  bool running_ = false;
  double frozen_ = 0;
};

}  // namespace pbx
