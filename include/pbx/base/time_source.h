// TimeSource: the one way pbxkit code reads the clock.
//
// No code in lib/ calls std::chrono::*::now() directly; it asks the TimeSource it was given.
// Production wires RealTimeSource; tests wire SimulatedTimeSource and move time by hand, so
// every timer-driven behaviour (registration expiry, no-answer, RTP timeout) is tested
// deterministically.
//
//   pbx::SimulatedTimeSource time;
//   auto t0 = time.monotonicTime();
//   time.advance(std::chrono::seconds(30));
//   assert(time.monotonicTime() - t0 == std::chrono::seconds(30));
//
// Thread-safety: both implementations may be read from any thread.
#pragma once

#include <atomic>
#include <chrono>

namespace pbx {

using MonotonicTime = std::chrono::steady_clock::time_point;
using SystemTime = std::chrono::system_clock::time_point;

class TimeSource {
 public:
  virtual ~TimeSource() = default;
  // Wall-clock time, for timestamps that people read (CDR, Date headers, fax headers).
  virtual SystemTime systemTime() const = 0;
  // Monotonic time, for measuring intervals and scheduling timers.
  virtual MonotonicTime monotonicTime() const = 0;
};

class RealTimeSource final : public TimeSource {
 public:
  SystemTime systemTime() const override { return std::chrono::system_clock::now(); }
  MonotonicTime monotonicTime() const override { return std::chrono::steady_clock::now(); }
};

// Time that only moves when advance() is called. Starts at an arbitrary fixed point
// (2026-01-01T00:00:00Z wall clock) so tests print stable timestamps.
class SimulatedTimeSource final : public TimeSource {
 public:
  SimulatedTimeSource();
  SystemTime systemTime() const override;
  MonotonicTime monotonicTime() const override;
  // Moves both clocks forward. Does not run timers: SimulatedDispatcher::advance() does.
  void advance(std::chrono::nanoseconds delta);
  void setSystemTime(SystemTime time);

 private:
  std::atomic<std::chrono::nanoseconds::rep> monotonic_ns_;
  std::atomic<std::chrono::nanoseconds::rep> system_ns_;
};

}  // namespace pbx
