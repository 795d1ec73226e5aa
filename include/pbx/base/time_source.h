// TimeSource: the one way pbxkit code reads the clock.
//
// No code in lib/ calls std::chrono::*::now() directly; it asks the TimeSource it was given.
// Production wires RealTimeSource; tests wire SimulatedTimeSource and move time by hand, so
// every timer-driven behaviour (registration expiry, no-answer, RTP timeout) is tested
// deterministically.
//
// The rule: components take `const TimeSource&`; RealTime() is the default. A component that
// reads the clock takes a reference (in its constructor, factory or function) and keeps no
// ownership: the caller keeps the TimeSource alive for as long as the component uses it.
// Code on an event loop uses its Dispatcher's timeSource(). Where a clock parameter is
// optional it defaults to RealTime(), never to a pointer that may be null.
//
//   pbx::SimulatedTimeSource time;
//   auto t0 = time.monotonicTime();
//   time.advance(std::chrono::seconds(30));
//   assert(time.monotonicTime() - t0 == std::chrono::seconds(30));
//
//   // A factory whose clock is optional:
//   absl::StatusOr<FooPtr> CreateFoo(FooOptions options, const TimeSource& time = RealTime());
//
// Thread-safety: both implementations may be read from any thread; RealTime() may be called
// from any thread and returns the same object for the life of the process.
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

// The process-wide real clock: a RealTimeSource that is never destroyed, so references to it
// stay valid until the process exits.
const TimeSource& RealTime();

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
