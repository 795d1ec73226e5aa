// Call: one call of the PBX — an anchor leg, the legs that ring for it, and the leg it is
// bridged to once one answers, with the RTP relay between them.
//
// The anchor is the leg the rung party is connected to: the caller's inbound leg, or, for a
// click-to-call, the source leg once it answered. ring() sends legs to the devices of each
// ring group in turn; within a group the first to answer wins and the others are CANCELled;
// a group that rings past its timeout, or whose legs all fail, makes way for the next; when
// none is left the call fails with the cause the failures add up to (486 if all were busy, a
// 6xx wins, else 480, ...). 180/183 are relayed to an unanswered caller once (early media with
// its SDP); a ringing caller hears a fresh 180 every minute (RFC 3261 13.3.1.1).
//
// After the answer, a BYE from either side ends both legs, and re-INVITE/UPDATE offers are
// answered on the leg that sent them (media stays anchored, so the other leg needs no
// renegotiation); a leg that holds is sent no media until it resumes.
//
// Late offer: a caller's INVITE without SDP gets pbxd's own offer sent to the rung legs (the
// codecs the relay passes through, OwnOffer()); the winner's answer becomes the offer
// in our 200 to the caller, whose ACK carries the answer. An ACK without a usable answer ends
// the call with BYE on both legs (RFC 3264 section 5).
//
// The code: call.cc (the legs' events, answer, reject, hangup, the end), call_ringing.cc (ring
// groups, provisional responses, the no-answer timer), call_features.cc (hold, transfers, park,
// joins, session timers), call_dtmf.cc (DTMF over SIP INFO). The media operations in progress
// (prompts, digit collections, recordings) are a CallMedia (call_media.h).
//
// Thread-safety: signaling thread only.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lib/call/bridge.h"
#include "lib/call/call_media.h"
#include "lib/call/leg.h"
#include "pbx/base/dispatcher.h"
#include "pbx/call/call_events.h"
#include "pbx/media/media_engine.h"
#include "pbx/routing/dialplan.h"
#include "pbx/sip/sdp.h"
#include "pbx/sip/signaling_stack.h"

namespace pbx::call {

class Call;

// Told by a call what happens to it.
class CallObserver {
 public:
  virtual ~CallObserver() = default;
  // `event` with its type, leg, party, end and detail filled in; the observer adds the rest.
  virtual void callEvent(Call& call, CallEvent event) = 0;
  virtual void callAnswered(Call& call) = 0;
  // `failStatus` is the final status sent to an unanswered caller, 0 otherwise.
  virtual void callEnded(Call& call, int failStatus, const EndReason& reason) = 0;
  // A phone asked to transfer its party (REFER): the observer decides where it goes.
  virtual void callRefer(Call& call, Leg& leg, const sip::ReferRequest& refer,
                         sip::ReferResponder respond) = 0;
  // A digit from `leg`'s phone; `feature` when the call is bridged and no digit collection
  // took it (it may be part of a feature code).
  virtual void callDigit(Call& call, Leg& leg, const media::DtmfDigit& digit, bool feature) = 0;
};

// One device to ring: who it is and the INVITE that reaches it (all but the SDP).
struct RingDevice {
  Party party;
  sip::OutboundInvite invite;
  std::vector<std::string> codecs;  // the account's codec preference (Account::codecs)
  SrtpPolicy srtp = SrtpPolicy::kOptional;
};

// Devices rung together, for up to `timeout`. `failures` holds the statuses of targets that
// could not be rung at all (404 for an unknown extension, 480 for one with nothing registered).
struct RingGroup {
  std::vector<RingDevice> devices;
  std::chrono::seconds timeout{30};
  std::vector<int> failures;
};

class Call final : private LegObserver {
 public:
  static constexpr std::chrono::seconds kProvisionalRefresh{60};
  // How long a transferor that was told its transfer worked has to hang up before we do.
  static constexpr std::chrono::seconds kTransferorGrace{5};

  Call(CallId id, Dispatcher& dispatcher, sip::SignalingStack& stack, media::MediaEngine& media,
       CallObserver& observer, Party caller, std::string dialled, std::string callUuid);
  ~Call() override;

  // An inbound call: the caller's dialog and its offer (nullopt for a late-offer INVITE).
  // `sessionInterval` (0: none) is the RFC 4028 session interval negotiated with the caller,
  // `weRefresh` whether pbxkit is its refresher.
  void startInbound(sip::Dialog& dialog, std::optional<sip::SessionDescription> offer,
                    std::vector<std::string> codecs, std::chrono::seconds sessionInterval,
                    bool weRefresh);
  // A click-to-call: rings `source`; the first device of it to answer becomes the anchor, and
  // `destination` rings for it.
  void startOriginate(std::vector<RingGroup> source, std::vector<RingGroup> destination);

  // Rings the groups in order for the anchor.
  void ring(std::vector<RingGroup> groups);
  // Rings `group`'s devices too, now, alongside the legs already ringing (a pickup with
  // invite: whoever answers first wins).
  absl::Status addRinging(RingGroup group);
  // Answers the unanswered inbound anchor with pbxkit's own SDP (the program drives the call).
  absl::Status answer();
  // Refuses the unanswered inbound anchor.
  absl::Status reject(const EndReason& reason);
  // Ends the call from our side: CANCEL/error response before the answer, BYE after.
  void hangup(const EndReason& reason);
  // Sends 180 to an unanswered inbound caller (the dialplan is still deciding).
  void sendRinging();
  // Sends 183 with pbxkit's answer to the caller's offer (a call the program drives).
  absl::Status earlyMedia();

  // ---- bridging calls of one leg each (call_features.cc) ----
  // Answered, with one leg and nothing ringing, transferring or parked.
  bool lone() const;
  // The offer a leg joining this lone call as its partner gets, and the address it names.
  sip::SessionDescription offerForPartner() const;
  SocketAddress partnerAddress() const;
  // `leg` (moved here by a re-INVITE with offerForPartner() that `answer` answered) becomes
  // the partner of this lone call.
  void adoptPartner(std::unique_ptr<Leg> leg, const std::string& answer);
  // A call of one answered leg, set apart from another call by unbridge(); `answer` answers
  // the re-INVITE that moved it to this call's relay (addressFor a leg on side A).
  void startAlone(std::unique_ptr<Leg> leg, const std::string& answer);
  // The partner left for `alone` (release()d): this call goes on with its anchor only.
  void unbridged(const Call& alone);
  // Gets the relay address a leg moving into a new call alone would name.
  absl::StatusOr<SocketAddress> aloneAddress();

  // ---- operations on an answered call (call_features.cc) ----
  // Holds (or resumes) `leg` with a re-INVITE sendonly (sendrecv): it neither hears nor is
  // heard until resumed.
  void setHold(Leg& leg, bool hold, std::function<void(absl::Status)> done);
  // Blind transfer: `stays` waits while `groups` ring on the side of the other leg, the
  // transferor; whoever answers takes the transferor's place, and the transferor is hung up
  // (after a NOTIFY of the outcome when it asked with REFER). If nobody answers, the call
  // goes back to the transferor, or ends if it has gone.
  absl::Status transfer(Leg& stays, std::vector<RingGroup> groups, std::string target,
                        bool byRefer);
  // Parks `stays` in `slot`: the other leg is hung up (after the NOTIFY when it asked with
  // REFER), and the call waits with no partner until a pickup or parkTimeout.
  absl::Status park(Leg& stays, std::string slot, bool byRefer);
  // The unanswered inbound `leg` of a call that is going away joins this one: in the place of
  // `replaced` (INVITE with Replaces), as the partner of a parked call (unpark), or as the
  // answer of a ringing call (pickup, `replaced` null or one of its ringing legs). `event`
  // (kPickedUp, kTransferred) is published with the leg as its party.
  void adoptInbound(std::unique_ptr<Leg> leg, Leg* replaced, CallEventType event);
  // The same for a new INVITE (with Replaces) from `party`.
  void adoptInvite(sip::Dialog& dialog, Party party, std::optional<sip::SessionDescription> offer,
                   Leg* replaced, CallEventType event);
  // A parked call rings `groups` for its parked party (an unpark to a phone, or the ring-back
  // to the parker); the slot is free from now on. The answer is a kPickedUp.
  void ringFromPark(std::vector<RingGroup> groups);
  // An attended transfer: the answered `leg` of another call takes the place of `replaced`.
  // Its media was moved here by a re-INVITE with offerReplacing(replaced) (anchored at
  // addressFor(replaced)), which `answer` answered.
  sip::SessionDescription offerReplacing(const Leg& replaced) const;
  SocketAddress addressFor(const Leg& leg) const { return bridge_->addressFor(leg); }
  // `replacedReferred`: the replaced leg asked for this with REFER and was sent the final
  // NOTIFY; it is given time to hang up itself.
  void adoptConfirmed(std::unique_ptr<Leg> leg, Leg& replaced, const std::string& answer,
                      bool replacedReferred = false);
  // Hands `leg` over to another call; this call no longer knows it.
  std::unique_ptr<Leg> release(Leg& leg);
  // Sends DTMF to `leg` as INFO (application/dtmf-relay), one digit at a time.
  absl::Status sendDtmf(Leg& leg, const std::string& digits);

  Leg* findLeg(LegId id) const;
  // The leg whose dialog `replaces` names, if this call has one.
  Leg* findLeg(const sip::Replaces& replaces) const;
  Leg* anchor() const { return anchor_.get(); }
  Leg* partner() const { return partner_.get(); }
  bool ringing() const { return !rung_.empty(); }
  const std::vector<std::unique_ptr<Leg>>& rungLegs() const { return rung_; }
  // The leg at the other end of `leg` (anchor <-> partner), or nullptr.
  Leg* other(const Leg& leg) const;
  const std::string& parkedSlot() const { return parkedSlot_; }
  const Party& parker() const { return parker_; }

  CallId id() const { return id_; }
  const std::string& callUuid() const { return callUuid_; }
  void setCallUuid(std::string uuid) { callUuid_ = std::move(uuid); }
  const Party& caller() const { return caller_; }
  CallState state() const { return state_; }
  bool answered() const { return state_ == CallState::kAnswered; }
  bool ended() const { return state_ == CallState::kEnded; }
  // Whether the call waits for a decision: its caller is unanswered and nothing rings for it
  // (before the dialplan decided, or after the program sent early media).
  bool undecided() const { return callerWaiting() && rung_.empty(); }
  // An inbound caller that has not been answered.
  bool callerWaiting() const;
  media::RtpRelay* relay() { return bridge_ ? &bridge_->relay() : nullptr; }
  // Prompts, digit collections and recordings in progress (call_media.h); needs relay().
  CallMedia& mediaOperations() { return mediaOperations_; }
  // Music on hold: what a leg hears while the other holds it or it waits parked.
  void setMusicOnHold(std::vector<std::string> files) { musicOnHold_ = std::move(files); }
  // Whether both bridged legs currently want media in both directions (not on hold).
  bool mediaExpected() const;
  CallInfo info() const;

  // The dialplan the call started with (a call keeps it when the PBX's is replaced), and the
  // bound on how long it may take to decide.
  routing::DialplanPtr dialplan;
  TimerPtr decisionTimer;
  // While parked: rings the parker at RoutingOptions::parkTimeout.
  TimerPtr parkTimer;

 private:
  // LegObserver
  void legProvisional(Leg& leg, int status, const std::string& sdp) override;
  void legAnswered(Leg& leg, const std::string& sdp) override;
  void legFailed(Leg& leg, int status) override;
  void legCancelled(Leg& leg) override;
  void legEnded(Leg& leg, sip::TerminationReason reason) override;
  void legOffer(Leg& leg, const std::string& sdp, sip::OfferResponder respond) override;
  void legAck(Leg& leg, const std::string& sdp) override;
  void legRefer(Leg& leg, const sip::ReferRequest& refer, sip::ReferResponder respond) override;
  void legInfo(Leg& leg, const std::string& contentType, const std::string& body,
               sip::StatusResponder respond) override;

  bool ensureBridge();
  // An event of the relay's terminated media (digits, prompts and recordings ending).
  void onMediaEvent(const media::MediaEvent& event);
  // A digit from `leg`'s phone, however it came: to the media operations, and to the observer
  // while the call is bridged.
  void digitFrom(Leg& leg, const media::DtmfDigit& digit);
  // What the caller is answered (or, late offer, offered) once `callee` answered.
  sip::SessionDescription answerForCaller(const sip::SessionDescription& callee) const;
  // That, anchored with the caller's SRTP keys.
  std::string bodyForCaller(const sip::SessionDescription& callee);
  sip::SessionDescription offerForRungLegs() const;
  void ringNextGroup();
  void ringDevices(std::vector<RingDevice>& devices);
  void armRingTimer();
  void onRingTimer();
  void groupOver(Cause cause);
  void rungAnswered(Leg& leg, const sip::SessionDescription& sdp);
  void removeRung(Leg& leg);
  void cancelRung(Leg* except);
  void fail(Cause cause, int status, const std::string& detail);
  int finalFailureStatus() const;
  void answerOffer(Leg& leg, const std::string& sdp, sip::OfferResponder respond);
  void noteHold(Leg& leg, bool wasHeld);
  // RFC 4028: once `leg` is answered, refresh its session (when we are the refresher) or end
  // the call when the peer lets it expire. Every refresh the peer sends re-arms it.
  void armSessionTimer(Leg& leg);
  void finish(int failStatus, EndReason reason);
  void emit(CallEventType type, const Leg* leg, std::optional<EndReason> end = std::nullopt,
            std::string detail = {});
  media::RelaySide ringSide() const;
  // A transfer's end: the transferor hears the outcome (REFER) and, on success, leaves.
  void transferDone(int status, const std::string& reason);
  void retire(std::unique_ptr<Leg> leg);
  // Retires a transferor that was sent the final NOTIFY, hanging it up after
  // kTransferorGrace unless it did first.
  void depart(std::unique_ptr<Leg> leg);

  const CallId id_;
  Dispatcher& dispatcher_;
  sip::SignalingStack& stack_;
  media::MediaEngine& media_;
  CallObserver& observer_;
  Party caller_;
  std::string dialled_;
  std::string callUuid_;
  SystemTime created_;
  std::optional<SystemTime> answeredAt_;
  CallState state_ = CallState::kRouting;

  std::optional<Bridge> bridge_;
  std::unique_ptr<Leg> anchor_;
  std::unique_ptr<Leg> partner_;  // the answered leg bridged to the anchor
  std::vector<std::unique_ptr<Leg>> rung_;
  // A transfer in progress: the leg that leaves once the target answers.
  std::unique_ptr<Leg> transferor_;
  bool transferByRefer_ = false;
  bool transferAlone_ = false;  // of a caller the program answered, with no other party
  std::string transferTarget_;
  std::string parkedSlot_;              // while parked
  Party parker_;                        // who parked the call
  bool leavingPark_ = false;            // ringing for a parked party: the answer is a pickup
  std::vector<RingGroup> groups_;       // still to ring
  std::vector<RingGroup> destination_;  // a click-to-call's second phase
  std::vector<Party> groupParties_;     // who the current group rings
  std::vector<int> failures_;
  Leg* earlyMedia_ = nullptr;
  bool ringingSent_ = false;
  // Fires at the group's deadline, and every kProvisionalRefresh before it while ringing.
  TimerPtr ringTimer_;
  MonotonicTime groupDeadline_{};
  bool lastGroupTimedOut_ = false;
  // Legs that ended (often inside their own callbacks): kept until the call is freed.
  std::vector<std::unique_ptr<Leg>> retired_;
  std::vector<TimerPtr> departures_;  // depart()'s grace timers
  std::vector<std::string> musicOnHold_;
  CallMedia mediaOperations_;
};

}  // namespace pbx::call
