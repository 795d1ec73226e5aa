// Call events: every state change of every call, typed and numbered.
//
// Each event carries a sequence number that grows by one per event of the PBX, so a listener
// that fell behind or reconnected resumes where it left off: the PBX keeps a bounded history,
// and a subscription from sequence N first replays the events after N still in it. Asking for
// one older than the history holds fails with OutOfRange: the listener knows it missed some.
//
//   pbx::call::EventFilter filter;
//   filter.types = {pbx::call::CallEventType::kCallEnded};
//   auto subscription = pbx.calls().events().subscribe(filter, std::nullopt,
//       [](const pbx::call::CallEvent& e) {
//         std::cout << e.sequence << " " << EventName(e.type) << " " << e.call.str() << "\n";
//       });
//   ...                                // destroying the subscription ends it
//
// Thread-safety: subscribe() may be called from any thread. A listener runs on the PBX's
// event thread (never the signaling thread), one event at a time, in sequence order; in the
// simulation harness it runs inside runPending()/advance(). A listener must not block for long:
// every other listener waits for it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "pbx/call/call_types.h"

namespace pbx::call {

enum class CallEventType {
  kCallStarted,  // pbx.call.start: a call exists (an INVITE arrived, or originate() was called)
  kRinging,      // pbx.extension.incomingcall: a leg rings (party: the one rung)
  kEarlyMedia,   // pbx.call.early: the caller hears the callee's early media
  kAnswered,     // pbx.extension.answercall: a leg answered (party: who answered)
  kMissed,       // pbx.extension.missedcall: a rung party did not answer (end: why)
  kBridged,      // pbx.call.bridged: two legs exchange media
  kUnbridged,    // pbx.call.unbridged
  kHeld,         // pbx.call.hold: a leg was put on hold
  kResumed,      // pbx.call.unhold
  kTransferred,  // pbx.call.transfer-succeeded (detail: the target)
  kParked,       // pbx.call.parked (detail: the slot)
  kPickedUp,     // pbx.call.pickup (party: who picked it up)
  kDtmf,         // pbx.call.dtmf (detail: the digit)
  kRecordingStarted,  // pbx.call.recording.start (detail: the file)
  kRecordingStopped,  // pbx.call.recording.stop (detail: the file)
  kRecordingFailed,   // pbx.call.recording.fail (detail: the file, then why)
  kCallEnded,         // pbx.call.end (end: the cause)
};
// The seed PBX's name of an event type: "pbx.call.start", "pbx.extension.incomingcall", ...
const char* EventName(CallEventType type);
// The inverse of EventName(); nullopt for a name that is not a call event.
std::optional<CallEventType> EventTypeFromName(std::string_view name);

struct CallEvent {
  uint64_t sequence = 0;  // 1, 2, 3, ... per PBX
  CallEventType type = CallEventType::kCallStarted;
  SystemTime time{};
  CallId call;
  LegId leg;                       // the leg the event is about, if any (invalid otherwise)
  std::string callUuid;            // the call's correlation id, echoed in every event of the call
  Party caller;                    // the call's caller
  Party party;                     // the party the event is about: who rang, answered, missed, ...
  std::optional<EndReason> end{};  // kMissed, kCallEnded
  std::string detail{};            // kDtmf: the digit; kParked: the slot; kTransferred: target
};

// Which events a listener receives. Empty fields match everything.
struct EventFilter {
  std::vector<CallEventType> types{};
  std::optional<CallId> call{};
  std::string callUuid{};
  std::string number{};  // the caller's or the party's number
  bool matches(const CallEvent& event) const;
};

using EventListener = std::function<void(const CallEvent& event)>;

// A listener's registration. Destroying it ends the subscription; once the destructor returns,
// the listener is not called again (destroy it from a thread other than the event thread, or
// from inside the listener itself).
class EventSubscription {
 public:
  virtual ~EventSubscription() = default;
};
using EventSubscriptionPtr = std::unique_ptr<EventSubscription>;

class EventStream {
 public:
  virtual ~EventStream() = default;
  // Delivers the events that match `filter`: with `since`, first those after sequence `since`
  // from the history, then every new one. Fails with OutOfRange when the history no longer
  // holds the event after `since` (it was older than the history's capacity).
  virtual absl::StatusOr<EventSubscriptionPtr> subscribe(const EventFilter& filter,
                                                         std::optional<uint64_t> since,
                                                         EventListener listener) = 0;
  // The sequence number of the newest event, 0 before the first.
  virtual uint64_t lastSequence() const = 0;
  // The events after `since` still in the history that match `filter`, oldest first; the same
  // OutOfRange as subscribe().
  virtual absl::StatusOr<std::vector<CallEvent>> history(const EventFilter& filter,
                                                         uint64_t since) const = 0;
};

}  // namespace pbx::call
