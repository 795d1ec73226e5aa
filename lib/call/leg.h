// Leg: one SIP dialog of a call, with one phone or trunk, and the SDP pbxkit shows it.
//
// A leg turns its dialog's events into calls on its owner (the Call), naming itself, and
// forgets the dialog once it ended (a terminal event, or our own reject()/hangup()), so it
// never touches a dialog the stack has deleted.
//
// Thread-safety: signaling thread only.
#pragma once

#include <optional>
#include <string>

#include "lib/call/sdp_anchor.h"
#include "lib/call/srtp_policy.h"
#include "pbx/base/dispatcher.h"
#include "pbx/call/call_types.h"
#include "pbx/media/rtp_relay.h"
#include "pbx/sip/sdp.h"
#include "pbx/sip/signaling_stack.h"

namespace pbx::call {

class Leg;

class LegObserver {
 public:
  virtual ~LegObserver() = default;
  virtual void legProvisional(Leg& leg, int status, const std::string& sdp) = 0;
  virtual void legAnswered(Leg& leg, const std::string& sdp) = 0;
  virtual void legFailed(Leg& leg, int status) = 0;  // UAC final error; leg is down
  virtual void legCancelled(Leg& leg) = 0;           // UAS cancelled; leg is down
  virtual void legEnded(Leg& leg, sip::TerminationReason reason) = 0;  // BYE etc.; leg is down
  virtual void legOffer(Leg& leg, const std::string& sdp, sip::OfferResponder respond) = 0;
  virtual void legAck(Leg& leg, const std::string& sdp) = 0;
  virtual void legRefer(Leg& leg, const sip::ReferRequest& refer, sip::ReferResponder respond) = 0;
  virtual void legInfo(Leg& leg, const std::string& contentType, const std::string& body,
                       sip::StatusResponder respond) = 0;
};

class Leg final : public sip::DialogHandler {
 public:
  // `side` is the side of the call's relay that faces this leg.
  Leg(LegObserver& observer, LegDirection direction, Party party, media::RelaySide side,
      SystemTime created);
  // A leg moves to another call (a pickup, an attended transfer): its events go there.
  void setObserver(LegObserver& observer) { observer_ = &observer; }
  ~Leg() override;
  Leg(const Leg&) = delete;
  Leg& operator=(const Leg&) = delete;

  void attach(sip::Dialog& dialog);
  bool up() const { return dialog_ != nullptr; }

  // UAS before the final response.
  void sendProvisional(int status, const std::string& reason, const std::string& sdp = {});
  void accept(const std::string& sdp);
  void reject(const sip::Rejection& rejection);
  // CANCEL, 480 or BYE, whichever the dialog's state calls for. Nothing once the leg is down.
  void hangup();
  // Confirmed leg: a re-INVITE with `sdp`; `done` runs unless the leg goes first.
  void reinvite(const std::string& sdp, sip::ReinviteDone done);
  void notifyReferProgress(int status, const std::string& reason);
  void sendInfo(const std::string& contentType, const std::string& body);
  void setSessionTimer(std::chrono::seconds interval, bool weRefresh);
  sip::DialogId dialogId() const;
  // What a phone joining this leg's party is offered: the SDP this leg's phone last sent,
  // sendrecv (it may still be on hold), or pbxkit's own offer when it sent none yet.
  sip::SessionDescription offerOfItsParty() const;

  LegInfo info() const;

  const LegId id;
  const LegDirection direction;
  const Party party;
  media::RelaySide side;  // changes when the leg moves to another call's relay
  const SystemTime created;
  LegState state = LegState::kCalling;
  std::optional<SystemTime> answered;
  std::string sipCallId;
  std::vector<std::string> codecs;          // its account's codec preference; empty: all pbxkit has
  media::StreamFormat format;               // what the leg's phone and pbxkit settled on (Bridge)
  SrtpPolicy srtp = SrtpPolicy::kOptional;  // its account's
  std::optional<OfferedCrypto> offeredCrypto;  // the keys of our last offer, until answered
  std::optional<media::SrtpKeys> srtpKeys;     // the SRTP the last offer/answer settled

  // The SDP to send this leg, anchored at `local`, with SRTP by its policy: our offer (keys
  // kept until answered) ...
  std::string offer(sip::SessionDescription sdp, const SocketAddress& local);
  // ... or our answer to its phone's `offer` (an error when the policy refuses it: 488).
  absl::StatusOr<std::string> answer(const sip::SessionDescription& offer,
                                     sip::SessionDescription answer, const SocketAddress& local);
  // Its phone answered our offer with `answer`: the keys it settled.
  void takeAnswer(const sip::SessionDescription& answer);
  bool held = false;      // the phone's last SDP said sendonly or inactive
  bool heldByUs = false;  // the call API put the leg on hold (our re-INVITE said sendonly)
  std::optional<sip::SessionDescription> remote;  // the phone's last SDP
  // Our last 2xx on this leg carried an offer, so its ACK must carry the answer.
  bool answerDueInAck = false;
  bool acked = false;  // (UAS) the ACK to our 2xx arrived
  LegSdp sdp;          // what this leg is shown
  // RFC 4028 on this leg: the session interval (0: none) and whether we refresh it.
  std::chrono::seconds sessionInterval{0};
  bool weRefresh = false;
  TimerPtr sessionTimer;  // refresh (ours) or expiry (theirs)

  // sip::DialogHandler
  void onProvisional(int status, const std::string& reason, const std::string& sdp) override;
  void onAnswered(const std::string& sdp) override;
  void onFailed(int status, const std::string& reason) override;
  void onCancelled() override;
  void onTerminated(sip::TerminationReason reason) override;
  void onOffer(const std::string& sdp, sip::OfferResponder respond) override;
  void onAck(const std::string& sdp) override;
  void onRefer(const sip::ReferRequest& refer, sip::ReferResponder respond) override;
  void onInfo(const std::string& contentType, const std::string& body,
              sip::StatusResponder respond) override;

 private:
  sip::Dialog* release();  // the dialog, forgotten

  LegObserver* observer_;
  sip::Dialog* dialog_ = nullptr;
};

}  // namespace pbx::call
