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
#include "pbx/call/call_media.h"
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
  // Early media: a 183 with pbxkit's answer to the caller's offer, before the answer, for a call
  // the dialplan left to the program (media the program plays comes with the media layer).
  virtual void earlyMedia(CallId call, Completion done = {}) = 0;
  // Refuses an unanswered inbound call with `cause` (and `sipStatus`, if non-zero).
  virtual void reject(CallId call, Cause cause, int sipStatus = 0, Completion done = {}) = 0;
  // Ends the call: every leg is cancelled (unanswered) or sent BYE (answered).
  virtual void hangup(CallId call, Cause cause = Cause::kNormalClearing, Completion done = {}) = 0;

  // Puts a leg of an answered call on hold with a re-INVITE (sendonly): it neither hears nor
  // is heard until unhold(). An invalid `leg` holds every leg of the call.
  virtual void hold(CallId call, LegId leg = {}, Completion done = {}) = 0;
  virtual void unhold(CallId call, LegId leg = {}, Completion done = {}) = 0;
  // Blind transfer: `destination` (an extension, a SIP URI or the park extension) rings for the
  // leg `stays` (invalid: the caller's leg); whoever answers takes the other leg's place, and
  // that leg is hung up. Completes once the destination rings; if nobody answers, the call
  // stays as it was. The kTransferred event follows the answer. A caller the program answered
  // alone (Decision::Answer(), an IVR) is connected to whoever answers.
  virtual void blindTransfer(CallId call, std::string destination, LegId stays = {},
                             Completion done = {}) = 0;
  // Attended transfer: the party the two answered calls have in common (the transferor)
  // leaves both, and the other two parties are connected (the second call's party is moved to
  // the first call with a re-INVITE, the second call ends with kAttendedTransfer).
  virtual void attendedTransfer(CallId first, CallId second, Completion done = {}) = 0;
  // Parks the leg `stays` (invalid: the caller's) of an answered call in a free slot (done
  // gets it); the other leg is hung up. After RoutingOptions::parkTimeout the parked call
  // rings the phone that parked it.
  virtual void park(CallId call, LegId stays,
                    std::function<void(absl::StatusOr<std::string> slot)> done) = 0;
  // Rings `destination` for the call parked in `slot`; whoever answers is connected to it.
  virtual void unpark(std::string slot, std::string destination,
                      std::function<void(absl::StatusOr<CallId>)> done) = 0;
  // Pickup with invite: `destination` rings too for the call ringing at extension `ringing`
  // (the newest such call); whoever answers first takes it.
  virtual void pickup(std::string ringing, std::string destination,
                      std::function<void(absl::StatusOr<CallId>)> done) = 0;
  // Bridges two answered calls that have one leg each (a caller the program answered, or a leg
  // unbridge() set apart): the second call's leg moves into the first with a re-INVITE, the
  // two parties talk, and the second call ends.
  virtual void bridge(CallId first, CallId second, Completion done = {}) = 0;
  // Sets the two legs of an answered call apart: the callee's leg moves, with a re-INVITE, to
  // a call of its own (done gets its id); both stay answered and hear nothing until bridged.
  virtual void unbridge(CallId call, std::function<void(absl::StatusOr<CallId>)> done) = 0;
  // Sends DTMF digits (0-9, *, #, A-D) to a leg as SIP INFO (application/dtmf-relay).
  virtual void sendDtmf(CallId call, LegId leg, std::string digits, Completion done = {}) = 0;

  // ---- media (on a leg; an invalid LegId means the call's anchor, its caller) ----
  // Plays prompt files to the leg, early media included (after earlyMedia()). `done` gets OK
  // once played out, Cancelled when stopped or replaced by another play, or the failure (a
  // file that cannot be read, a leg without a codec pbxkit encodes).
  virtual void play(CallId call, LegId leg, media::PlayRequest request, Completion done = {}) = 0;
  virtual void stopPlaying(CallId call, LegId leg, Completion done = {}) = 0;
  // Collects digits the leg's phone sends (RFC 4733, SIP INFO or in-band), by the rules of
  // `request`. One collection per leg at a time: a new one replaces it.
  virtual void collectDigits(CallId call, LegId leg, DigitCollection request,
                             std::function<void(absl::StatusOr<CollectedDigits>)> done) = 0;
  // Records the call (or one leg of it) to a WAV file; `done` gets the recording's id. Its end
  // is an event: kRecordingStopped, or kRecordingFailed (an unwritable path, a full disk),
  // which never ends the call.
  virtual void startRecording(CallId call, RecordingRequest request,
                              std::function<void(absl::StatusOr<uint64_t>)> done) = 0;
  virtual void pauseRecording(CallId call, uint64_t recording, bool paused,
                              Completion done = {}) = 0;
  virtual void stopRecording(CallId call, uint64_t recording, Completion done = {}) = 0;

  // The calls in progress, as of the moment the signaling thread reads them.
  virtual void listCalls(std::function<void(std::vector<CallInfo>)> done) = 0;

  // Replaces the dialplan for new calls; calls in progress keep theirs.
  virtual void setDialplan(routing::DialplanPtr dialplan) = 0;

  virtual EventStream& events() = 0;
};

}  // namespace pbx::call
