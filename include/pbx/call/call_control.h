// CallControl: the call API of a running PBX (pbx::Pbx::calls()) or of the simulation harness
// (pbx::testing::SimulatedPbx::calls()): the same interface, the same behaviour.
//
// Operations may be called from any thread. Each one is carried out on the signaling thread
// and reports its outcome through its completion callback, which runs on the PBX's event
// thread (in the simulation harness: inside runPending()/advance()), never on the signaling
// thread and never inside the call that started the operation. An operation on a call that
// has ended, or a leg it does not have, completes with NotFound; one the call's state does not
// allow (answering an answered call) with FailedPrecondition.
//
//   pbx::call::OriginateRequest request;
//   request.source = "100";                // rings first; when it answers...
//   request.destination = "101";           // ...this rings and is connected to it
//   request.callUuid = "crm-4711";         // echoed in every event of the call
//   pbx->calls().originate(request, [](absl::StatusOr<pbx::CallId> id) {
//     if (id.ok()) std::cout << "calling: " << id->str() << "\n";
//   });
//
// Thread-safety: every method is thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "pbx/call/call_events.h"
#include "pbx/call/call_types.h"
#include "pbx/routing/dialplan.h"

namespace pbx::call {

using Completion = std::function<void(absl::Status status)>;

// Click-to-call: ring `source` first; once it answers, ring `destination` and connect the two.
// Either may be an extension number or a SIP URI.
struct OriginateRequest {
  std::string source;
  std::string destination;
  // What the source's phone shows while it rings (default: the destination's number, with the
  // name "c2c: <destination>" as the seed's click-to-call does).
  Party callerId{};
  std::string callUuid{};
  std::chrono::seconds sourceTimeout{0};       // 0: sip.noAnswerTimeout
  std::chrono::seconds destinationTimeout{0};  // 0: sip.noAnswerTimeout
};

class CallControl {
 public:
  virtual ~CallControl() = default;

  // Starts a click-to-call. Completes with the new call's id once the source rings (legs were
  // sent); the call's progress follows as events, and a source that does not answer ends the
  // call with its cause (kNoAnswer, kBusy, ...).
  virtual void originate(const OriginateRequest& request,
                         std::function<void(absl::StatusOr<CallId>)> done) = 0;
  // Answers the inbound leg of a call the dialplan left to the program (Decision::Answer()
  // answers at once; an asynchronous dialplan may instead call this).
  virtual void answer(CallId call, Completion done = {}) = 0;
  // Refuses an unanswered inbound call with `cause` (and `sipStatus`, if non-zero).
  virtual void reject(CallId call, Cause cause, int sipStatus = 0, Completion done = {}) = 0;
  // Ends the call: every leg is cancelled (unanswered) or sent BYE (answered).
  virtual void hangup(CallId call, Cause cause = Cause::kNormalClearing, Completion done = {}) = 0;

  // The calls in progress, as of the moment the signaling thread reads them.
  virtual void listCalls(std::function<void(std::vector<CallInfo>)> done) = 0;

  // Replaces the dialplan for new calls; calls in progress keep theirs.
  virtual void setDialplan(routing::DialplanPtr dialplan) = 0;

  virtual EventStream& events() = 0;
};

}  // namespace pbx::call
