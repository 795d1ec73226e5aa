// EventLog: the PBX's EventStream. Call control publishes on the signaling thread; the log
// numbers each event, keeps the newest `capacity` in a history, and delivers them to the
// subscriptions on the delivery dispatcher (pbx-events in a Pbx, the simulated loop in the
// harness), in order, one drain at a time.
//
// Publishing costs the signaling thread a lock, a copy into the history and, when a
// subscription exists and no drain is queued yet, a post().
//
// Thread-safety: publish() on the signaling thread; the EventStream methods from any thread.
#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "pbx/base/dispatcher.h"
#include "pbx/call/call_events.h"

namespace pbx::call {

class EventLog final : public EventStream {
 public:
  static constexpr size_t kDefaultCapacity = 10000;

  // `delivery` runs the listeners; it must outlive the log.
  EventLog(Dispatcher& delivery, const TimeSource& time, size_t capacity = kDefaultCapacity);
  ~EventLog() override;

  // Numbers and timestamps `event`, stores it, and schedules its delivery.
  void publish(CallEvent event);

  absl::StatusOr<EventSubscriptionPtr> subscribe(const EventFilter& filter,
                                                 std::optional<uint64_t> since,
                                                 EventListener listener) override;
  uint64_t lastSequence() const override;
  absl::StatusOr<std::vector<CallEvent>> history(const EventFilter& filter,
                                                 uint64_t since) const override;

 private:
  struct Subscriber;
  class Subscription;

  // Called with mutex_ held: OutOfRange if the event after `since` has left the history.
  absl::Status checkSince(uint64_t since) const;
  void scheduleDrain();  // with mutex_ held
  void drain();          // on the delivery dispatcher
  void remove(const std::shared_ptr<Subscriber>& subscriber);

  Dispatcher& delivery_;
  const TimeSource& time_;
  const size_t capacity_;
  mutable std::mutex mutex_;
  std::deque<CallEvent> history_;  // guarded by mutex_; sequences (last_ - size, last_]
  uint64_t last_ = 0;              // guarded by mutex_
  std::vector<std::shared_ptr<Subscriber>> subscribers_;  // guarded by mutex_
  bool drainQueued_ = false;                              // guarded by mutex_
  // Lets a drain posted before the log died see that it did.
  std::shared_ptr<std::atomic<bool>> alive_ = std::make_shared<std::atomic<bool>>(true);
};

}  // namespace pbx::call
