#include "lib/call/event_log.h"

#include <algorithm>

#include "lib/base/log.h"

namespace pbx::call {
namespace {
constexpr size_t kBatch = 256;  // events copied out of the history per lock
}

struct EventLog::Subscriber {
  EventFilter filter;
  EventListener listener;
  uint64_t delivered = 0;  // the last sequence handed to (or skipped by) the listener
  std::atomic<bool> cancelled{false};
  std::mutex calling;  // held while the listener runs
};

class EventLog::Subscription final : public EventSubscription {
 public:
  Subscription(EventLog& log, std::shared_ptr<Subscriber> subscriber,
               std::shared_ptr<std::atomic<bool>> alive)
      : log_(log), subscriber_(std::move(subscriber)), alive_(std::move(alive)) {}
  ~Subscription() override {
    subscriber_->cancelled = true;
    if (*alive_) log_.remove(subscriber_);
  }

 private:
  EventLog& log_;
  std::shared_ptr<Subscriber> subscriber_;
  std::shared_ptr<std::atomic<bool>> alive_;
};

bool EventFilter::matches(const CallEvent& event) const {
  if (!types.empty() && std::find(types.begin(), types.end(), event.type) == types.end())
    return false;
  if (call && *call != event.call) return false;
  if (!callUuid.empty() && callUuid != event.callUuid) return false;
  if (!number.empty() && number != event.caller.number && number != event.party.number)
    return false;
  return true;
}

EventLog::EventLog(Dispatcher& delivery, const TimeSource& time, size_t capacity)
    : delivery_(delivery), time_(time), capacity_(std::max<size_t>(capacity, 1)) {}

EventLog::~EventLog() { *alive_ = false; }

void EventLog::publish(CallEvent event) {
  event.time = time_.systemTime();
  std::lock_guard<std::mutex> lock(mutex_);
  event.sequence = ++last_;
  if (history_.size() == capacity_) history_.pop_front();
  history_.push_back(std::move(event));
  if (!subscribers_.empty()) scheduleDrain();
}

absl::Status EventLog::checkSince(uint64_t since) const {
  uint64_t oldest = last_ - history_.size();  // the newest sequence no longer held
  if (since < oldest)
    return absl::OutOfRangeError("events " + std::to_string(since + 1) + " to " +
                                 std::to_string(oldest) +
                                 " are no longer in the history (it holds " +
                                 std::to_string(oldest + 1) + " to " + std::to_string(last_) + ")");
  if (since > last_)
    return absl::OutOfRangeError("event " + std::to_string(since) +
                                 " has not happened yet (the newest is " + std::to_string(last_) +
                                 ")");
  return absl::OkStatus();
}

absl::StatusOr<EventSubscriptionPtr> EventLog::subscribe(const EventFilter& filter,
                                                         std::optional<uint64_t> since,
                                                         EventListener listener) {
  if (!listener) return absl::InvalidArgumentError("subscribe() needs a listener");
  auto subscriber = std::make_shared<Subscriber>();
  subscriber->filter = filter;
  subscriber->listener = std::move(listener);
  std::lock_guard<std::mutex> lock(mutex_);
  if (since) {
    if (auto status = checkSince(*since); !status.ok()) return status;
    subscriber->delivered = *since;
  } else {
    subscriber->delivered = last_;
  }
  subscribers_.push_back(subscriber);
  if (subscriber->delivered < last_) scheduleDrain();
  return EventSubscriptionPtr(new Subscription(*this, std::move(subscriber), alive_));
}

uint64_t EventLog::lastSequence() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return last_;
}

absl::StatusOr<std::vector<CallEvent>> EventLog::history(const EventFilter& filter,
                                                         uint64_t since) const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto status = checkSince(since); !status.ok()) return status;
  std::vector<CallEvent> out;
  for (const CallEvent& event : history_)
    if (event.sequence > since && filter.matches(event)) out.push_back(event);
  return out;
}

void EventLog::scheduleDrain() {
  if (drainQueued_) return;
  drainQueued_ = true;
  delivery_.post([this, alive = alive_] {
    if (*alive) drain();
  });
}

void EventLog::remove(const std::shared_ptr<Subscriber>& subscriber) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    std::erase(subscribers_, subscriber);
  }
  // Wait for a listener call in progress on the delivery thread, unless this is it.
  if (!delivery_.isThreadSafe()) std::lock_guard<std::mutex> wait(subscriber->calling);
}

void EventLog::drain() {
  std::vector<std::shared_ptr<Subscriber>> subscribers;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    drainQueued_ = false;
    subscribers = subscribers_;
  }
  for (auto& subscriber : subscribers) {
    for (;;) {
      std::vector<CallEvent> batch;
      uint64_t scanned = 0;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (subscriber->cancelled || subscriber->delivered >= last_) break;
        uint64_t first = last_ - history_.size() + 1;
        if (subscriber->delivered + 1 < first) {
          // The listener fell further behind than the history reaches.
          PBX_LOG(kWarning, "events", "", "a listener lost events {} to {}: it fell behind",
                  subscriber->delivered + 1, first - 1);
          subscriber->delivered = first - 1;
        }
        for (size_t i = subscriber->delivered + 1 - first;
             i < history_.size() && batch.size() < kBatch; ++i) {
          scanned = history_[i].sequence;
          if (subscriber->filter.matches(history_[i])) batch.push_back(history_[i]);
        }
      }
      std::lock_guard<std::mutex> calling(subscriber->calling);
      for (const CallEvent& event : batch) {
        if (subscriber->cancelled) break;
        subscriber->listener(event);
      }
      subscriber->delivered = scanned;
    }
  }
}

}  // namespace pbx::call
