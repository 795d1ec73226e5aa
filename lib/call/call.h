// Call: one B2BUA call — the caller's inbound leg, the forks ringing the callee's registered
// accounts in parallel, and the RTP relay anchoring the media between them.
//
// The first fork to answer wins; the others are CANCELled. 180/183 are relayed to the caller
// once. A no-answer timer ends an unanswered call with 480. After the answer, a BYE from
// either side ends both legs, and re-INVITE/UPDATE offers are answered on the leg that sent
// them (media stays anchored, so the other leg needs no renegotiation).
//
// Late offer: a caller's INVITE without SDP gets pbxd's own offer sent to the forks (the
// codecs the relay passes through, DefaultAudioOffer()); the winner's answer becomes the offer
// in our 200 to the caller, whose ACK carries the answer. An ACK without a usable answer ends
// the call with BYE on both legs (RFC 3264 section 5).
//
// Thread-safety: signaling thread only.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lib/call/sdp_anchor.h"
#include "pbx/base/dispatcher.h"
#include "pbx/base/ids.h"
#include "pbx/media/rtp_relay.h"
#include "pbx/sip/sdp.h"
#include "pbx/sip/signaling_stack.h"

namespace pbx::call {

class Call;

// Told by a call when it is answered and when it ends.
class CallObserver {
 public:
  virtual ~CallObserver() = default;
  virtual void onCallAnswered(Call& call) = 0;
  // `failStatus` is the final status sent to the caller for an unanswered call, 0 otherwise.
  virtual void onCallEnded(Call& call, int failStatus, const std::string& reason) = 0;
};

struct CallTarget {
  std::string account;
  sip::OutboundInvite invite;  // everything but the SDP
};

class Call final : public sip::DialogHandler {
 public:
  // A ringing caller hears a fresh 180 this often (RFC 3261 13.3.1.1: at least every minute).
  static constexpr std::chrono::seconds kProvisionalRefresh{60};

  // `offer` is the caller's SDP, or nullopt for a late-offer INVITE.
  Call(CallId id, Dispatcher& dispatcher, sip::SignalingStack& stack, CallObserver& observer,
       sip::Dialog& inbound, std::optional<sip::SessionDescription> offer,
       media::RtpRelayPtr relay);
  ~Call() override;

  // Sends the forks. Ends the call at once (with 480) when none could be sent.
  void start(std::vector<CallTarget> targets, std::chrono::seconds noAnswerTimeout);
  // Ends the call from our side: CANCEL/480 before the answer, BYE after.
  void hangup(const std::string& reason);

  CallId id() const { return id_; }
  bool answered() const { return state_ == State::kAnswered; }
  bool ended() const { return state_ == State::kEnded; }
  media::RtpRelay* relay() const { return relay_.get(); }
  // Whether both legs currently want media in both directions (not on hold).
  bool mediaExpected() const { return !holdA_ && !holdB_; }

  // Inbound (caller) leg events.
  void onAnswered(const std::string& sdp) override {}
  void onFailed(int status, const std::string& reason) override {}
  void onCancelled() override;
  void onTerminated(sip::TerminationReason reason) override;
  void onOffer(const std::string& sdp, sip::OfferResponder respond) override;
  void onAck(const std::string& sdp) override;

 private:
  bool lateOffer() const { return !offer_; }
  void armRingTimer();
  void onRingTimer();
  class Fork;
  enum class State { kRinging, kAnswered, kEnded };

  void forkProvisional(Fork& fork, int status, const std::string& reason, const std::string& sdp);
  void forkAnswered(Fork& fork, const std::string& sdp);
  void forkFailed(Fork& fork, int status);
  void forkTerminated(Fork& fork);
  void forkOffer(Fork& fork, const std::string& sdp, sip::OfferResponder respond);
  void answerOffer(media::RelaySide side, const std::string& sdp, sip::OfferResponder respond);
  // The ACK to a 2xx we sent on `side`; `sdp` answers the offer that 2xx carried, if it did.
  void ackReceived(media::RelaySide side, const std::string& sdp);
  void cancelForks(Fork* except);
  void finish(int failStatus, const std::string& reason);
  int finalFailureStatus() const;
  // Points the relay at the address in `sdp` for `side`; false if `sdp` has no usable audio.
  bool applyRemote(media::RelaySide side, const sip::SessionDescription& sdp);

  const CallId id_;
  Dispatcher& dispatcher_;
  sip::SignalingStack& stack_;
  CallObserver& observer_;
  sip::Dialog* inbound_;
  std::optional<sip::SessionDescription> offer_;  // the caller's SDP; none for a late offer
  media::RtpRelayPtr relay_;
  std::vector<std::unique_ptr<Fork>> forks_;
  Fork* winner_ = nullptr;
  Fork* earlyMedia_ = nullptr;
  std::vector<int> failures_;
  State state_ = State::kRinging;
  bool ringingSent_ = false;
  bool holdA_ = false;
  bool holdB_ = false;
  // Per side: our last 2xx on that leg carried an offer, so its ACK must carry the answer.
  bool answerDueInAck_[2] = {false, false};
  bool callerAcked_ = false;
  LegSdp sdpA_;  // what the caller sees
  LegSdp sdpB_;  // what the callee sees
  // Fires at the no-answer deadline, and every kProvisionalRefresh before it while ringing.
  TimerPtr noAnswer_;
  MonotonicTime noAnswerDeadline_{};
};

}  // namespace pbx::call
