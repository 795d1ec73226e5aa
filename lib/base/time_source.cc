#include "pbx/base/time_source.h"

namespace pbx {
namespace {
// 2026-01-01T00:00:00Z: a fixed, readable starting point for simulated wall-clock time.
constexpr std::chrono::seconds kSimulatedEpoch{1767225600};
}  // namespace

const TimeSource& RealTime() {
  // A function-local static is initialised once, thread-safely; never destroyed, so a
  // component still reading it during static destruction is safe.
  static const RealTimeSource* const kRealTime = new RealTimeSource();
  return *kRealTime;
}

SimulatedTimeSource::SimulatedTimeSource()
    : monotonic_ns_(std::chrono::nanoseconds(std::chrono::hours(1)).count()),
      system_ns_(std::chrono::nanoseconds(kSimulatedEpoch).count()) {}

SystemTime SimulatedTimeSource::systemTime() const {
  return SystemTime(std::chrono::duration_cast<SystemTime::duration>(
      std::chrono::nanoseconds(system_ns_.load())));
}

MonotonicTime SimulatedTimeSource::monotonicTime() const {
  return MonotonicTime(std::chrono::duration_cast<MonotonicTime::duration>(
      std::chrono::nanoseconds(monotonic_ns_.load())));
}

void SimulatedTimeSource::advance(std::chrono::nanoseconds delta) {
  monotonic_ns_ += delta.count();
  system_ns_ += delta.count();
}

void SimulatedTimeSource::setSystemTime(SystemTime time) {
  system_ns_ =
      std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
}

}  // namespace pbx
