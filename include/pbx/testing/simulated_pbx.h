// The simulation harness: a whole PBX in one process, on simulated time, with simulated
// phones. Tests register phones, place calls, answer, hang up and move the clock, and the
// real call control (registrar, B2BUA, overload control, RTP timeout) runs underneath — only
// the SIP stack, the media engine and the clock are simulated. Deterministic; milliseconds
// per test. Library users test their own configurations the same way.
//
//   pbx::Options options;
//   options.directory.extensions = {{"100", {{"100", "pw100"}}}, {"101", {{"101", "pw101"}}}};
//   auto made = pbx::testing::SimulatedPbx::Create(options);   // StatusOr<unique_ptr<...>>
//   pbx::testing::SimulatedPbx& pbx = **made;
//   auto& alice = pbx.addPhone("100", "pw100");
//   auto& bob = pbx.addPhone("101", "pw101");
//   REQUIRE(alice.registerAccount() == 200);
//   REQUIRE(bob.registerAccount() == 200);
//   auto& call = alice.call("101");
//   pbx.runPending();
//   bob.incoming()->answer();
//   pbx.runPending();
//   CHECK(call.state() == pbx::testing::SimCall::State::kAnswered);
//   pbx.advance(std::chrono::minutes(5));
//
// pbx.calls() is the same call API as pbx::Pbx::calls(): its callbacks and event listeners
// run inside runPending()/advance(), on the test's thread.
//
// Thread-safety: single-threaded (the test's thread).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "pbx/base/metrics.h"
#include "pbx/base/simulated_dispatcher.h"
#include "pbx/call/call_control.h"
#include "pbx/media/media_types.h"
#include "pbx/options.h"
#include "pbx/sip/signaling_stack.h"
#include "pbx/testing/simulated_media.h"

namespace pbx::testing {

class SimulatedSignalingStack;
class SimPhone;
class SimAudio;

// Where a calling phone puts its SDP offer: in the INVITE, or nowhere (a late offer: the
// PBX's 200 brings an offer and the phone answers in its ACK). kNever is a broken late-offer
// phone whose ACK carries no answer.
enum class OfferTiming { kInInvite, kInAck, kNever };

// One call as a simulated phone sees it.
class SimCall {
 public:
  ~SimCall();
  enum class State { kCalling, kRinging, kEarly, kAnswered, kFailed, kEnded };

  State state() const { return state_; }
  bool incoming() const { return incoming_; }
  // Final status of an outgoing call attempt (after authentication), 0 while none.
  int finalStatus() const { return finalStatus_; }
  std::optional<uint32_t> retryAfter() const { return retryAfter_; }
  const std::vector<int>& provisionals() const { return provisionals_; }
  // Why the call ended: "local-bye", "remote-bye", "cancelled", "rejected", "failed".
  const std::string& endReason() const { return endReason_; }
  // The SDP the PBX sent us, and where it told us to send RTP.
  const std::string& remoteSdp() const { return remoteSdp_; }
  SocketAddress remoteMedia() const;
  // Our own media address (what our SDP says).
  const SocketAddress& localMedia() const { return localMedia_; }
  const std::string& number() const { return number_; }
  // Incoming calls: the display name of the caller the PBX presents (From), or empty.
  const std::string& displayName() const { return displayName_; }

  // Incoming calls: ring (180), early media (183 with our SDP), answer (200 with our SDP) or
  // reject with a status.
  void ring();
  void sessionProgress();
  void answer();
  void reject(int status);
  // CANCEL (outgoing, unanswered) or BYE (answered).
  void hangup();
  // Sends a re-INVITE with our SDP and the given direction ("sendrecv", "sendonly", ...);
  // returns the status of the answer once the PBX responded (run the loop first).
  void reinvite(const std::string& direction = "sendrecv");
  // Sends a re-INVITE without SDP: the PBX's 200 carries its offer, and our ACK answers with
  // our SDP in the given direction.
  void reinviteWithoutOffer(const std::string& answerDirection = "sendrecv");
  int lastReinviteStatus() const { return reinviteStatus_; }
  // Sends REFER: a blind transfer of the other party to `number` (an extension or "888"), or,
  // with `replacing`, an attended transfer to the party of that other call of ours (Refer-To
  // with Replaces naming it). referStatus() is the PBX's answer (202) once the loop ran;
  // notifies() the sipfrag statuses of its NOTIFYs.
  void refer(const std::string& number, const SimCall* replacing = nullptr);
  void refer(const std::string& number, std::optional<sip::Replaces> replaces);
  int referStatus() const { return referStatus_; }
  const std::vector<int>& notifies() const { return notifies_; }
  // Sends INFO; infoStatus() is the PBX's answer. infos() are the INFOs the PBX sent us
  // ("content-type\nbody").
  void sendInfo(const std::string& contentType, const std::string& body);
  int infoStatus() const { return infoStatus_; }
  const std::vector<std::string>& infos() const { return infos_; }
  // RFC 4028: the Session-Expires and refresher ("uac"/"uas") of the PBX's 2xx, and the
  // Min-SE of a 422.
  uint32_t sessionExpires() const { return sessionExpires_; }
  const std::string& refresher() const { return refresher_; }
  uint32_t minSE() const { return minSE_; }
  // Reliable provisionals (RFC 3262) the phone received and PRACKed.
  int pracksSent() const { return pracksSent_; }
  // re-INVITEs the PBX sent us (answered by the phone in kind).
  int reinvitesReceived() const { return reinvitesReceived_; }
  // Sends `packets` RTP packets to the address the PBX gave us.
  bool sendRtp(uint64_t packets, uint64_t bytes = 172);
  // RTP packets the PBX relayed to us.
  uint64_t rtpReceived() const;

  // Media, for a phone with SimPhoneOptions::audio: real RTP in the codec negotiated, every
  // 20 ms of simulated time. The phone sends silence, or a sine of `frequencyHz` (0: silence).
  void playTone(int frequencyHz);
  // A digit by RFC 4733 events, in-band tones, or SIP INFO (application/dtmf-relay).
  void sendDtmf(char digit, media::DtmfMethod method,
                std::chrono::milliseconds duration = std::chrono::milliseconds(100));
  // The dominant frequency of the audio received in the last `window` (0 for silence).
  double receivedFrequency(std::chrono::milliseconds window = std::chrono::milliseconds(200)) const;
  // The digits that reached the phone by `method`, in order (in-band ones as detected).
  std::string receivedDigits(media::DtmfMethod method) const;
  // The format the phone sends in: the first of its codecs in the PBX's SDP.
  media::StreamFormat mediaFormat() const;
  // The longest stretch without audio since audio first arrived, in ms (a tone playing).
  uint64_t longestAudioGapMs() const;

 private:
  friend class SimPhone;
  friend class SimulatedSignalingStack;
  SimCall(SimPhone& phone, bool incoming, std::string number, SocketAddress localMedia);
  // Our SDP: an offer of the phone's codecs, or (`answering`) an answer to remoteSdp_ with the
  // first of its codecs the phone has.
  std::string localSdp(const std::string& direction, bool answering = false) const;
  // The direction that answers an offer (RFC 3264 6.1): sendonly -> recvonly, ...
  static std::string AnswerDirectionFor(const std::string& offer);

  SimPhone& phone_;
  const bool incoming_;
  std::string number_;
  std::string displayName_;
  SocketAddress localMedia_;
  State state_;
  int finalStatus_ = 0;
  std::optional<uint32_t> retryAfter_;
  std::vector<int> provisionals_;
  std::string endReason_;
  std::string remoteSdp_;
  int reinviteStatus_ = 0;
  bool authTried_ = false;
  int referStatus_ = 0;
  int infoStatus_ = 0;
  int reinvitesReceived_ = 0;
  int pracksSent_ = 0;
  uint32_t sessionExpires_ = 0;
  uint32_t minSE_ = 0;
  std::string refresher_;
  std::vector<int> notifies_;
  std::vector<std::string> infos_;
  std::optional<sip::Replaces> replaces_;  // the INVITE's Replaces header
  OfferTiming offer_ = OfferTiming::kInInvite;
  uint64_t link_ = 0;                // the stack's dialog id for this call
  std::unique_ptr<SimAudio> audio_;  // with SimPhoneOptions::audio
};

struct SimPhoneOptions {
  // Incoming calls ring (send 180) by themselves.
  bool autoRing = true;
  // Incoming calls are rejected with this status at once (e.g. 486 for a busy phone).
  int rejectIncomingWith = 0;
  // What the phone's requests arrive over. Like pbxkit's sofia stack, the simulated one asks
  // call control to screen a new INVITE without credentials arriving over UDP
  // (SignalingHandler::screenInvite) and hands every other one to onInvite.
  sip::Transport transport = sip::Transport::kUdp;
  // The PBX's re-INVITEs are refused with this status instead of answered (e.g. 488).
  int rejectReinvitesWith = 0;
  // After a REFER, the phone hangs up its call once a NOTIFY says the transfer succeeded.
  bool hangupAfterTransfer = true;
  // RFC 4028 in the phone's INVITEs: Session-Expires (0: none), the refresher it asks for
  // ("uac", "uas" or ""), and whether it supports the extension (Supported: timer).
  uint32_t sessionExpires = 0;
  std::string refresher = "uac";
  bool supportsTimer = false;
  // The phone's INVITEs say Require: 100rel: the PBX's 1xx come reliably and it PRACKs them.
  bool require100rel = false;
  // The codecs the phone offers and answers with (SDP names: "PCMU", "PCMA", "G722", "opus"),
  // and whether it has RFC 4733 telephone-event.
  std::vector<std::string> codecs{"PCMU", "PCMA"};
  bool telephoneEvent = true;
  // Calls carry real audio (see SimCall::playTone()); otherwise only counted packets.
  bool audio = false;
};

class SimPhone {
 public:
  const std::string& username() const { return username_; }
  // REGISTER with digest authentication (answering the 401 challenge). Runs the loop until
  // the final response and returns its status.
  int registerAccount(std::chrono::seconds expires = std::chrono::seconds(3600));
  int unregister() { return registerAccount(std::chrono::seconds(0)); }
  // Seconds granted by the last successful REGISTER.
  uint32_t grantedExpires() const { return grantedExpires_; }
  void setPassword(std::string password) { password_ = std::move(password); }

  // Starts a call (INVITE, answering the 407 challenge). Run the loop to make it progress.
  SimCall& call(const std::string& number, OfferTiming offer = OfferTiming::kInInvite);
  // An INVITE with Replaces naming `replaced`'s dialog with the PBX (a call of this or another
  // phone): this call takes that one's place. `earlyOnly`: only while that one is unanswered.
  SimCall& callReplacing(const SimCall& replaced, const std::string& number = "replaces",
                         bool earlyOnly = false);
  SimCall& callReplacing(std::optional<sip::Replaces> replaces,
                         const std::string& number = "replaces");
  // The most recent incoming call that is ringing (or not yet answered), or nullptr.
  SimCall* incoming();
  const std::vector<std::unique_ptr<SimCall>>& calls() const { return calls_; }
  SimPhoneOptions& options() { return options_; }
  // The session-timer part of this phone's INVITEs, from its options.
  sip::SessionTimerRequest sessionTimerRequest() const;

 private:
  friend class SimulatedSignalingStack;
  friend class SimCall;
  friend class SimulatedPbx;
  SimPhone(SimulatedSignalingStack& stack, std::string username, std::string password,
           SocketAddress signaling, SimPhoneOptions options);
  SimCall& newCall(bool incoming, const std::string& number);

  SimulatedSignalingStack& stack_;
  std::string username_;
  std::string password_;
  SocketAddress signaling_;  // where the phone "listens" (its Contact)
  SimPhoneOptions options_;
  uint32_t grantedExpires_ = 0;
  uint16_t nextMediaPort_;
  std::vector<std::unique_ptr<SimCall>> calls_;
};

class SimulatedPbx {
 public:
  // Fails when the options are inconsistent (a duplicate extension, an empty username, ...).
  static absl::StatusOr<std::unique_ptr<SimulatedPbx>> Create(const Options& options);
  // For options known to be valid: a harness built from invalid ones aborts with the reason
  // (use Create() where the options may be wrong).
  explicit SimulatedPbx(const Options& options);
  ~SimulatedPbx();

  // A phone with its own simulated address (127.0.1.N:5060) and media ports.
  SimPhone& addPhone(const std::string& username, const std::string& password,
                     SimPhoneOptions options = {});
  // Runs everything that is due now.
  void runPending();
  // Moves simulated time forward, firing timers (no-answer, expiry, RTP timeout) on the way.
  void advance(std::chrono::milliseconds delta);

  absl::Status reloadDirectory(const Directory& directory);
  // Ends every call as pbxd does on SIGTERM.
  void hangupAll();

  // The call API, as pbx::Pbx::calls().
  call::CallControl& calls();

  size_t activeCalls() const;
  size_t registrations() const;
  MetricsRegistry& metrics() { return metrics_; }
  SimulatedTimeSource& time() { return time_; }
  SimulatedDispatcher& dispatcher() { return dispatcher_; }
  SimulatedMediaEngine& media() { return media_; }
  SimulatedSignalingStack& stack() { return *stack_; }

 private:
  class Core;
  struct Unchecked {};
  SimulatedPbx(const Options& options, Unchecked);
  absl::Status start(const Options& options);

  SimulatedTimeSource time_;
  SimulatedDispatcher dispatcher_;
  SimulatedMediaEngine media_;
  MetricsRegistry metrics_;
  std::unique_ptr<SimulatedSignalingStack> stack_;
  std::unique_ptr<Core> core_;  // the call service and the PbxCore
  std::vector<std::unique_ptr<SimPhone>> phones_;
};

}  // namespace pbx::testing
