#include "lib/call/call.h"

#include <algorithm>

#include "lib/base/log.h"

namespace pbx::call {

using media::RelaySide;

namespace {
// The direction an answer gives a stream offered with `offered` (RFC 3264 6.1).
sip::MediaDirection AnswerDirection(sip::MediaDirection offered) {
  switch (offered) {
    case sip::MediaDirection::kSendOnly:
      return sip::MediaDirection::kRecvOnly;
    case sip::MediaDirection::kRecvOnly:
      return sip::MediaDirection::kSendOnly;
    default:
      return offered;  // sendrecv and inactive answer in kind
  }
}

// What the caller is told of a callee's failure. A fork's response answers pbxd's own request,
// so the ones whose meaning lives in headers about that request are not passed on: a
// challenge (401/407, whose WWW-/Proxy-Authenticate only pbxd could answer), a redirect
// (3xx: pbxd does not follow them), a complaint about pbxd's request itself (400, 405, 413,
// 414, 416, 420, 421, 423, 494, 505, 513). The mapping follows SIP → ISUP cause → SIP of
// RFC 3398: a refusal is 403, an interworking failure 500; an unusable body is 488.
int ForCaller(int status) {
  if (status >= 300 && status < 400) return 480;
  switch (status) {
    case 401:
    case 407:
      return 403;
    case 415:
      return 488;
    case 400:
    case 405:
    case 413:
    case 414:
    case 416:
    case 420:
    case 421:
    case 423:
    case 494:
    case 505:
    case 513:
      return 500;
    default:
      return status;
  }
}
}  // namespace

// One outbound INVITE to one registered account of the callee.
class Call::Fork final : public sip::DialogHandler {
 public:
  Fork(Call& call, std::string account) : call_(call), account(std::move(account)) {}

  void onProvisional(int status, const std::string& reason, const std::string& sdp) override {
    call_.forkProvisional(*this, status, reason, sdp);
  }
  void onAnswered(const std::string& sdp) override { call_.forkAnswered(*this, sdp); }
  void onFailed(int status, const std::string&) override {
    dialog = nullptr;
    call_.forkFailed(*this, status);
  }
  void onCancelled() override {}  // never for a UAC dialog
  void onTerminated(sip::TerminationReason) override {
    dialog = nullptr;
    call_.forkTerminated(*this);
  }
  void onOffer(const std::string& sdp, sip::OfferResponder respond) override {
    call_.forkOffer(*this, sdp, std::move(respond));
  }
  void onAck(const std::string& sdp) override {
    if (call_.winner_ == this) call_.ackReceived(RelaySide::kB, sdp);
  }

  void hangup() {
    if (dialog != nullptr) {
      sip::Dialog* d = dialog;
      dialog = nullptr;
      d->hangup();
    }
  }

  Call& call_;
  std::string account;
  sip::Dialog* dialog = nullptr;
};

Call::Call(CallId id, Dispatcher& dispatcher, sip::SignalingStack& stack, CallObserver& observer,
           sip::Dialog& inbound, std::optional<sip::SessionDescription> offer,
           media::RtpRelayPtr relay)
    : id_(id),
      dispatcher_(dispatcher),
      stack_(stack),
      observer_(observer),
      inbound_(&inbound),
      offer_(std::move(offer)),
      relay_(std::move(relay)) {
  inbound_->setHandler(this);
}

Call::~Call() {
  // Never leave a dialog pointing at a dead handler.
  if (inbound_) inbound_->setHandler(nullptr);
  for (auto& f : forks_)
    if (f->dialog) f->dialog->setHandler(nullptr);
}

void Call::start(std::vector<CallTarget> targets, std::chrono::seconds noAnswerTimeout) {
  if (offer_) applyRemote(RelaySide::kA, *offer_);
  std::string offerB =
      sdpB_.anchor(offer_ ? *offer_ : DefaultAudioOffer(), relay_->localAddress(RelaySide::kB));
  for (auto& target : targets) {
    auto fork = std::make_unique<Fork>(*this, target.account);
    target.invite.sdp = offerB;
    auto dialog = stack_.invite(target.invite, *fork);
    if (!dialog.ok()) {
      PBX_LOG(kWarning, "call", id_.str(), "cannot ring {}: {}", target.account,
              dialog.status().message());
      failures_.push_back(503);
      continue;
    }
    fork->dialog = *dialog;
    PBX_LOG(kDebug, "call", id_.str(), "ringing {} at {}", target.account,
            target.invite.requestUri.str());
    forks_.push_back(std::move(fork));
  }
  if (forks_.empty()) {
    inbound_->reject({480, "Temporarily Unavailable"});
    inbound_ = nullptr;
    finish(480, "no fork could be sent");
    return;
  }
  // One timer serves the no-answer timeout and, for calls ringing longer than a minute, the
  // provisional refresh RFC 3261 13.3.1.1 requires every minute (proxies upstream may
  // otherwise cancel after three silent minutes). The refresh is ours rather than nta's: nta's
  // progress timer keeps its retransmission list sorted by a linear walk, which turns into
  // quadratic work once thousands of calls ring at the same time.
  noAnswerDeadline_ = dispatcher_.timeSource().monotonicTime() + noAnswerTimeout;
  noAnswer_ = dispatcher_.createTimer([this] { onRingTimer(); });
  armRingTimer();
}

void Call::armRingTimer() {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      noAnswerDeadline_ - dispatcher_.timeSource().monotonicTime());
  noAnswer_->enable(std::clamp(left, std::chrono::milliseconds(0),
                               std::chrono::milliseconds(kProvisionalRefresh)));
}

void Call::onRingTimer() {
  if (dispatcher_.timeSource().monotonicTime() < noAnswerDeadline_) {
    if (ringingSent_ && inbound_) inbound_->sendProvisional(180, "Ringing");
    armRingTimer();
    return;
  }
  PBX_LOG(kInfo, "call", id_.str(), "no answer after timeout");
  cancelForks(nullptr);
  if (inbound_) {
    inbound_->reject({480, "Temporarily Unavailable (no answer)"});
    inbound_ = nullptr;
  }
  finish(480, "no answer");
}

bool Call::applyRemote(RelaySide side, const sip::SessionDescription& sdp) {
  auto audio = sdp.findMedia("audio");
  if (!audio) return false;
  auto direction = sdp.effectiveDirection(*audio);
  bool hold =
      direction == sip::MediaDirection::kSendOnly || direction == sip::MediaDirection::kInactive;
  (side == RelaySide::kA ? holdA_ : holdB_) = hold;
  auto addr = sdp.rtpAddress(*audio);
  relay_->setRemote(side, addr.ok() ? *addr : SocketAddress());
  return addr.ok();
}

void Call::forkProvisional(Fork& fork, int status, const std::string& reason,
                           const std::string& sdp) {
  if (state_ != State::kRinging || inbound_ == nullptr) return;
  // Early media needs an answer in the 183; a late-offer caller can only be sent an offer,
  // which an unreliable provisional cannot carry, so that caller just hears it ringing.
  if (!sdp.empty() && earlyMedia_ == nullptr && !lateOffer()) {
    auto parsed = sip::SessionDescription::Parse(sdp);
    if (parsed.ok() && applyRemote(RelaySide::kB, *parsed)) {
      earlyMedia_ = &fork;
      inbound_->sendProvisional(183, "Session Progress",
                                sdpA_.anchor(*parsed, relay_->localAddress(RelaySide::kA)));
      ringingSent_ = true;
      return;
    }
  }
  if (!ringingSent_ && (status == 180 || status == 183)) {
    ringingSent_ = true;
    inbound_->sendProvisional(180, "Ringing");
  }
}

void Call::forkAnswered(Fork& fork, const std::string& sdp) {
  if (state_ != State::kRinging || inbound_ == nullptr) {
    fork.hangup();  // lost the race: another fork answered, or the caller is gone
    return;
  }
  auto parsed = sip::SessionDescription::Parse(sdp);
  if (!parsed.ok() || !applyRemote(RelaySide::kB, *parsed)) {
    PBX_LOG(kWarning, "call", id_.str(), "{} answered with unusable SDP: {}", fork.account,
            parsed.ok() ? "no audio" : parsed.status().message());
    fork.hangup();
    failures_.push_back(488);
    std::erase_if(forks_, [&](const auto& f) { return f.get() == &fork; });
    if (forks_.empty()) {
      inbound_->reject({488, "Not Acceptable Here"});
      inbound_ = nullptr;
      finish(488, "callee SDP unusable");
    }
    return;
  }
  state_ = State::kAnswered;
  winner_ = &fork;
  noAnswer_.reset();
  cancelForks(&fork);
  // For a late offer, the callee's answer is our offer to the caller.
  answerDueInAck_[static_cast<int>(RelaySide::kA)] = lateOffer();
  inbound_->accept(sdpA_.anchor(*parsed, relay_->localAddress(RelaySide::kA)));
  PBX_LOG(kInfo, "call", id_.str(), "answered by {}", fork.account);
  observer_.onCallAnswered(*this);
}

void Call::forkFailed(Fork& fork, int status) {
  failures_.push_back(status);
  if (earlyMedia_ == &fork) earlyMedia_ = nullptr;
  std::erase_if(forks_, [&](const auto& f) { return f.get() == &fork; });
  if (state_ != State::kRinging || !forks_.empty()) return;
  int final = finalFailureStatus();
  if (inbound_) {
    inbound_->reject({final, ""});
    inbound_ = nullptr;
  }
  finish(final, "every fork failed");
}

int Call::finalFailureStatus() const {
  if (failures_.empty()) return 480;
  bool allBusy =
      std::all_of(failures_.begin(), failures_.end(), [](int s) { return s == 486 || s == 600; });
  if (allBusy) return 486;
  // A decline anywhere is final (RFC 3261 §16.7: 6xx wins); else unreachable-ish answers.
  for (int s : failures_)
    if (s >= 600) return s;
  for (int s : failures_)
    if (s == 480 || s == 408 || s == 503 || s == 487) return 480;
  return ForCaller(*std::min_element(failures_.begin(), failures_.end()));
}

void Call::forkTerminated(Fork& fork) {
  if (winner_ == &fork && state_ == State::kAnswered) {
    PBX_LOG(kInfo, "call", id_.str(), "callee hung up");
    if (inbound_) {
      sip::Dialog* in = inbound_;
      inbound_ = nullptr;
      in->hangup();
    }
    finish(0, "callee hung up");
  }
}

void Call::onCancelled() {
  inbound_ = nullptr;
  PBX_LOG(kInfo, "call", id_.str(), "caller cancelled");
  cancelForks(nullptr);
  finish(487, "caller cancelled");
}

void Call::onTerminated(sip::TerminationReason reason) {
  inbound_ = nullptr;
  PBX_LOG(kInfo, "call", id_.str(), "caller leg ended: {}", sip::TerminationReasonName(reason));
  cancelForks(nullptr);
  finish(state_ == State::kAnswered ? 0 : 487, "caller hung up");
}

void Call::onOffer(const std::string& sdp, sip::OfferResponder respond) {
  answerOffer(RelaySide::kA, sdp, std::move(respond));
}

void Call::forkOffer(Fork& fork, const std::string& sdp, sip::OfferResponder respond) {
  if (&fork != winner_) {
    respond(488, "");
    return;
  }
  answerOffer(RelaySide::kB, sdp, std::move(respond));
}

void Call::onAck(const std::string& sdp) { ackReceived(RelaySide::kA, sdp); }

void Call::ackReceived(RelaySide side, const std::string& sdp) {
  // The caller's first ACK answers our initial 200; without an answer a late-offer call has
  // no media at all. A later offer (an offerless re-INVITE) left unanswered changes nothing.
  bool initial = side == RelaySide::kA && !callerAcked_;
  if (side == RelaySide::kA) callerAcked_ = true;
  bool& due = answerDueInAck_[static_cast<int>(side)];
  if (!due || state_ != State::kAnswered) return;
  due = false;
  auto parsed = sdp.empty() ? absl::InvalidArgumentError("the ACK has no SDP")
                            : sip::SessionDescription::Parse(sdp);
  if (parsed.ok() && applyRemote(side, *parsed)) {
    relay_->setForwarding(media::Other(side), !(holdA_ || holdB_));
    return;
  }
  PBX_LOG(kWarning, "call", id_.str(), "the {} ACK carries no usable SDP answer: {}",
          side == RelaySide::kA ? "caller's" : "callee's",
          parsed.ok() ? "no audio" : parsed.status().message());
  if (initial) hangup("no SDP answer in the caller's ACK");
}

void Call::answerOffer(RelaySide side, const std::string& sdp, sip::OfferResponder respond) {
  LegSdp& leg = side == RelaySide::kA ? sdpA_ : sdpB_;
  if (sdp.empty()) {
    // An offerless re-INVITE (our 200 carries the offer, the ACK the answer) or a
    // session-refresh UPDATE: nothing changes.
    answerDueInAck_[static_cast<int>(side)] = true;
    respond(200, leg.last());
    return;
  }
  answerDueInAck_[static_cast<int>(side)] = false;
  auto parsed = sip::SessionDescription::Parse(sdp);
  if (!parsed.ok() || !parsed->findMedia("audio")) {
    respond(488, "");
    return;
  }
  applyRemote(side, *parsed);
  // Answer with the same streams, mirroring the direction the peer asked for.
  sip::SessionDescription answer = *parsed;
  auto audio = answer.findMedia("audio");
  answer.media[*audio].setDirection(AnswerDirection(parsed->effectiveDirection(*audio)));
  relay_->setForwarding(media::Other(side), !(holdA_ || holdB_));
  respond(200, leg.anchor(std::move(answer), relay_->localAddress(side)));
}

void Call::cancelForks(Fork* except) {
  for (auto& f : forks_)
    if (f.get() != except) f->hangup();
}

void Call::hangup(const std::string& reason) {
  if (state_ == State::kEnded) return;
  PBX_LOG(kInfo, "call", id_.str(), "hanging up: {}", reason);
  int failStatus = 0;
  if (state_ == State::kRinging) {
    cancelForks(nullptr);
    failStatus = 480;
    if (inbound_) {
      inbound_->reject({480, "Temporarily Unavailable"});
      inbound_ = nullptr;
    }
  } else {
    if (winner_) winner_->hangup();
    if (inbound_) {
      sip::Dialog* in = inbound_;
      inbound_ = nullptr;
      in->hangup();
    }
  }
  finish(failStatus, reason);
}

void Call::finish(int failStatus, const std::string& reason) {
  if (state_ == State::kEnded) return;
  bool wasAnswered = state_ == State::kAnswered;
  state_ = State::kEnded;
  noAnswer_.reset();
  observer_.onCallEnded(*this, wasAnswered ? 0 : failStatus, reason);
}

}  // namespace pbx::call
