#include "pbx/testing/simulated_signaling_stack.h"

#include "pbx/testing/simulated_pbx.h"

namespace pbx::testing {

// One INVITE dialog between call control and a phone's SimCall. `uac` is true when the PBX
// sent the INVITE.
class SimulatedSignalingStack::SimDialog final : public sip::Dialog {
 public:
  SimDialog(SimulatedSignalingStack& stack, uint64_t id, bool uac, SimCall* call)
      : stack_(stack), id_(id), uac_(uac), call_(call), callId_("sim-" + std::to_string(id)) {}

  void setHandler(sip::DialogHandler* handler) override { handler_ = handler; }
  const std::string& callId() const override { return callId_; }

  void sendProvisional(int status, const std::string&, const std::string& sdp) override {
    if (uac_ || final_ || ended_) return;
    responded_ = true;
    // A caller that required 100rel gets every 1xx but 100 reliably, and PRACKs it (RFC 3262),
    // as sofia's nua does it: call control sees none of it.
    bool reliable = require100rel_ && status > 100;
    toPhone([status, sdp, reliable](SimCall& c) {
      if (c.state_ != SimCall::State::kCalling && c.state_ != SimCall::State::kRinging &&
          c.state_ != SimCall::State::kEarly)
        return;
      c.provisionals_.push_back(status);
      if (reliable) ++c.pracksSent_;
      if (!sdp.empty()) c.remoteSdp_ = sdp;
      c.state_ = sdp.empty() ? SimCall::State::kRinging : SimCall::State::kEarly;
    });
  }
  void accept(const std::string& sdp) override {
    if (uac_ || final_ || ended_) return;
    final_ = true;
    confirmed_ = true;
    toPhone([&stack = stack_, id = id_, sdp, expires = sessionExpires_,
             weRefresh = weRefresh_](SimCall& c) {
      c.sessionExpires_ = expires;
      c.refresher_ = expires == 0 ? "" : weRefresh ? "uas" : "uac";
      c.remoteSdp_ = sdp;
      c.finalStatus_ = 200;
      c.state_ = SimCall::State::kAnswered;
      // The phone ACKs; a late-offer phone puts its answer in the ACK.
      std::string answer = c.offer_ == OfferTiming::kInAck ? c.localSdp("sendrecv", true) : "";
      stack.toHandler(id, [answer](sip::DialogHandler& h) { h.onAck(answer); });
    });
  }
  void reject(const sip::Rejection& r) override {
    if (uac_ || final_) return;
    final_ = true;
    ended_ = true;
    handler_ = nullptr;
    toPhone([r, &stack = stack_](SimCall& c) { stack.onPhoneRejected(c, r); });
    retireIfDone();
  }
  void hangup() override {
    if (ended_) return;
    if (!confirmed_ && !uac_) {
      reject({480, "Temporarily Unavailable"});
      return;
    }
    ended_ = true;
    handler_ = nullptr;
    bool confirmed = confirmed_;
    if (!confirmed) cancelled_ = true;
    toPhone([confirmed](SimCall& c) {
      if (c.state_ == SimCall::State::kEnded || c.state_ == SimCall::State::kFailed) return;
      c.state_ = SimCall::State::kEnded;
      c.endReason_ = confirmed ? "remote-bye" : "cancelled";
    });
    retireIfDone();
  }

  sip::DialogId id() const override {
    // The PBX's tag and the phone's, fixed per dialog.
    return {callId_, "pbx" + std::to_string(id_), "ph" + std::to_string(id_)};
  }

  void reinvite(const std::string& sdp, sip::ReinviteDone done) override {
    if (!confirmed_ || ended_) return;
    if (reinviting_) {
      stack_.dispatcher_.post([done] { done(491, ""); });
      return;
    }
    reinviting_ = true;
    toPhone([&stack = stack_, id = id_, sdp, done](SimCall& c) {
      SimDialog* d = stack.find(id);
      // The phone answers in kind (or refuses, when told to), mirroring the direction.
      int status = c.state_ == SimCall::State::kAnswered ? 200 : 481;
      if (status == 200 && c.phone_.options_.rejectReinvitesWith != 0)
        status = c.phone_.options_.rejectReinvitesWith;
      std::string answer;
      if (status == 200) {
        c.remoteSdp_ = sdp;
        ++c.reinvitesReceived_;
        answer = c.localSdp(SimCall::AnswerDirectionFor(sdp), true);
      }
      if (d == nullptr) return;
      d->reinviting_ = false;
      if (d->handler_ == nullptr || d->ended_) return;
      done(status, answer);
    });
  }

  void notifyReferProgress(int status, const std::string&) override {
    // As sofia's: only for a REFER answered 2xx, and the final status ends its subscription.
    if (!confirmed_ || ended_ || !referAccepted_) return;
    if (status >= 200) referAccepted_ = false;
    toPhone([status](SimCall& c) {
      c.notifies_.push_back(status);
      // A transferor's phone ends its call once the transfer succeeded, as phones do.
      if (status >= 200 && status < 300 && c.phone_.options_.hangupAfterTransfer &&
          c.state_ == SimCall::State::kAnswered)
        c.hangup();
    });
  }

  void setSessionTimer(uint32_t seconds, bool weRefresh) override {
    sessionExpires_ = seconds;
    weRefresh_ = weRefresh;
  }

  void sendInfo(const std::string& contentType, const std::string& body) override {
    if (!confirmed_ || ended_) return;
    toPhone([contentType, body](SimCall& c) { c.infos_.push_back(contentType + "\n" + body); });
  }

  // Delivers `f` to the phone side as a separate step.
  void toPhone(std::function<void(SimCall&)> f) {
    SimCall* call = call_;
    stack_.dispatcher_.post([call, f = std::move(f)] { f(*call); });
  }
  void toHandler(std::function<void(sip::DialogHandler&)> f) {
    stack_.toHandler(id_, std::move(f));
  }
  // Delivers the peer's terminal event `f` as a separate step, unless the dialog ended first.
  void endByPeer(std::function<void(sip::DialogHandler&)> f) {
    stack_.dispatcher_.post([&stack = stack_, id = id_, f = std::move(f)] {
      SimDialog* d = stack.find(id);
      if (d == nullptr || d->handler_ == nullptr || d->ended_) return;
      d->ended_ = true;
      sip::DialogHandler* h = d->handler_;
      d->handler_ = nullptr;
      d->retireIfDone();
      f(*h);
    });
  }
  // A dialog whose INVITE has its final response and that has ended is forgotten (as a real
  // stack forgets it once its transactions time out): later phone requests on it go unheard.
  // The erase is a posted step, so everything already queued for this dialog runs first.
  void retireIfDone() {
    if (!ended_ || !final_ || retiring_) return;
    retiring_ = true;
    stack_.dispatcher_.post([&stack = stack_, id = id_] { stack.dialogs_.erase(id); });
  }

  SimulatedSignalingStack& stack_;
  const uint64_t id_;
  const bool uac_;
  SimCall* call_;
  const std::string callId_;
  sip::DialogHandler* handler_ = nullptr;
  bool final_ = false;
  bool responded_ = false;  // a provisional response went out or came in
  bool confirmed_ = false;
  bool ended_ = false;
  bool cancelled_ = false;
  bool retiring_ = false;
  bool require100rel_ = false;   // the phone's INVITE said Require: 100rel
  bool reinviting_ = false;      // a re-INVITE of ours waits for the phone's answer
  bool referAccepted_ = false;   // a REFER was answered 2xx and its final NOTIFY is still due
  uint32_t sessionExpires_ = 0;  // Session-Expires of our 2xx
  bool weRefresh_ = false;
};

SimulatedSignalingStack::SimDialog* SimulatedSignalingStack::find(uint64_t id) {
  auto it = dialogs_.find(id);
  return it == dialogs_.end() ? nullptr : it->second.get();
}

void SimulatedSignalingStack::toHandler(uint64_t id, std::function<void(sip::DialogHandler&)> f) {
  dispatcher_.post([this, id, f = std::move(f)] {
    SimDialog* d = find(id);
    if (d != nullptr && d->handler_ != nullptr && !d->ended_) f(*d->handler_);
  });
}

void SimulatedSignalingStack::onPhoneRejected(SimCall& c, const sip::Rejection& r) {
  c.finalStatus_ = r.status;
  c.retryAfter_ = r.retryAfterSeconds;
  c.minSE_ = r.minSessionExpires.value_or(0);
  if (r.status == 407 && r.proxyChallenge && !c.authTried_) {
    // The phone answers the challenge with a new INVITE carrying credentials.
    c.authTried_ = true;
    sip::DigestCredentials cred;
    cred.username = c.phone_.username_;
    cred.realm = r.proxyChallenge->realm;
    cred.nonce = r.proxyChallenge->nonce;
    cred.uri = "sip:" + c.number_ + "@" + domain_;
    cred.qop = "auth";
    cred.cnonce = "simcnonce";
    cred.nonceCount = "00000001";
    cred.response = sip::DigestResponse(cred, "INVITE", c.phone_.password_);
    sip::InviteRequest request;
    request.requestUri = {c.number_, domain_, 0, ""};
    request.from.uri = {c.phone_.username_, domain_, 0, ""};
    request.to.uri = request.requestUri;
    request.credentials = cred;
    if (c.offer_ == OfferTiming::kInInvite) request.sdp = c.localSdp("sendrecv");
    request.source = {c.phone_.signaling_, c.phone_.options_.transport};
    request.replaces = c.replaces_;
    request.sessionTimer = c.phone_.sessionTimerRequest();
    request.require100rel = c.phone_.options_.require100rel;
    c.finalStatus_ = 0;
    phoneInvite(c, std::move(request));
    return;
  }
  c.state_ = SimCall::State::kFailed;
  c.endReason_ = "rejected";
}

SimulatedSignalingStack::SimulatedSignalingStack(SimulatedDispatcher& dispatcher,
                                                 SimulatedMediaEngine& media, std::string domain)
    : dispatcher_(dispatcher), media_(media), domain_(std::move(domain)) {}

SimulatedSignalingStack::~SimulatedSignalingStack() = default;

void SimulatedSignalingStack::attach(SimPhone* phone) {
  phonesByAddress_[phone->signaling_.str()] = phone;
}

size_t SimulatedSignalingStack::pendingTransactions() const {
  size_t n = 0;
  for (const auto& [id, d] : dialogs_)
    if (!d->final_ && !d->responded_ && !d->ended_) ++n;
  return n;
}

void SimulatedSignalingStack::shutdown(std::function<void()> done) {
  shutDown_ = true;
  dispatcher_.post(std::move(done));
}

SimulatedSignalingStack::SimDialog* SimulatedSignalingStack::dialogOf(const SimCall& call) {
  return find(call.link_);
}

absl::StatusOr<sip::Dialog*> SimulatedSignalingStack::invite(const sip::OutboundInvite& invite,
                                                             sip::DialogHandler& handler) {
  if (shutDown_) return absl::UnavailableError("stack shut down");
  std::string where =
      invite.nextHop ? invite.nextHop->address.str()
                     : invite.requestUri.host + ":" +
                           std::to_string(invite.requestUri.port ? invite.requestUri.port : 5060);
  auto phoneIt = phonesByAddress_.find(where);
  uint64_t id = nextDialog_++;
  auto dialog = std::make_unique<SimDialog>(*this, id, /*uac=*/true, nullptr);
  SimDialog* raw = dialog.get();
  raw->setHandler(&handler);
  dialogs_.emplace(id, std::move(dialog));
  if (phoneIt == phonesByAddress_.end()) {
    // Nobody at that address: the INVITE times out.
    raw->final_ = true;
    raw->endByPeer([](sip::DialogHandler& h) { h.onFailed(408, "Request Timeout"); });
    return raw;
  }
  SimPhone& phone = *phoneIt->second;
  SimCall& call = phone.newCall(/*incoming=*/true, invite.from.uri.user);
  call.link_ = id;
  call.remoteSdp_ = invite.sdp;
  call.displayName_ = invite.from.displayName;
  raw->call_ = &call;
  dispatcher_.post([&phone, &call] {
    if (phone.options_.rejectIncomingWith != 0)
      call.reject(phone.options_.rejectIncomingWith);
    else if (phone.options_.autoRing)
      call.ring();
  });
  return raw;
}

void SimulatedSignalingStack::phoneRegister(
    SimPhone& phone, sip::RegisterRequest request,
    std::function<void(const sip::RegisterResponse&)> onResponse) {
  dispatcher_.post([this, request = std::move(request), onResponse = std::move(onResponse)] {
    if (handler_ == nullptr || shutDown_) return onResponse({503, "Service Unavailable"});
    handler_->onRegister(request, [this, onResponse](const sip::RegisterResponse& r) {
      dispatcher_.post([onResponse, r] { onResponse(r); });
    });
  });
}

void SimulatedSignalingStack::phoneInvite(SimCall& call, sip::InviteRequest request) {
  uint64_t id = nextDialog_++;
  auto dialog = std::make_unique<SimDialog>(*this, id, /*uac=*/false, &call);
  SimDialog* raw = dialog.get();
  dialogs_.emplace(id, std::move(dialog));
  call.link_ = id;
  request.callId = raw->callId_;
  raw->require100rel_ = request.require100rel;
  dispatcher_.post([this, raw, request = std::move(request)] {
    if (handler_ == nullptr || shutDown_) return raw->reject({503, "Service Unavailable"});
    if (!request.credentials && request.source.transport == sip::Transport::kUdp) {
      // What sofia's stack answers statelessly; the phone cannot tell the difference.
      if (auto rejection = handler_->screenInvite(request.source)) return raw->reject(*rejection);
    }
    handler_->onInvite(*raw, request);
  });
}

void SimulatedSignalingStack::phoneProvisional(SimCall& call, int status, const std::string& sdp) {
  SimDialog* d = dialogOf(call);
  if (d == nullptr || !d->uac_ || d->final_) return;
  d->responded_ = true;
  const char* reason = status == 180 ? "Ringing" : "Session Progress";
  d->toHandler(
      [status, reason, sdp](sip::DialogHandler& h) { h.onProvisional(status, reason, sdp); });
}

void SimulatedSignalingStack::phoneAnswer(SimCall& call, const std::string& sdp) {
  SimDialog* d = dialogOf(call);
  if (d == nullptr || !d->uac_ || d->final_) return;
  d->final_ = true;
  d->confirmed_ = true;
  if (d->ended_) {  // our 200 crossed the PBX's CANCEL: the stack ends it with BYE
    d->toPhone([](SimCall& c) {
      c.state_ = SimCall::State::kEnded;
      c.endReason_ = "remote-bye";
    });
    d->retireIfDone();
    return;
  }
  d->toHandler([sdp](sip::DialogHandler& h) { h.onAnswered(sdp); });
}

void SimulatedSignalingStack::phoneReject(SimCall& call, int status) {
  SimDialog* d = dialogOf(call);
  if (d == nullptr || !d->uac_ || d->final_) return;
  d->final_ = true;
  d->retireIfDone();  // the PBX CANCELled it already: the 487 ends it
  d->endByPeer([status](sip::DialogHandler& h) { h.onFailed(status, ""); });
}

void SimulatedSignalingStack::phoneCancel(SimCall& call) {
  SimDialog* d = dialogOf(call);
  if (d == nullptr || d->uac_ || d->final_) return;
  d->final_ = true;
  d->endByPeer([](sip::DialogHandler& h) { h.onCancelled(); });
}

void SimulatedSignalingStack::phoneBye(SimCall& call) {
  SimDialog* d = dialogOf(call);
  if (d == nullptr || !d->confirmed_) return;
  d->endByPeer([](sip::DialogHandler& h) { h.onTerminated(sip::TerminationReason::kRemoteBye); });
}

void SimulatedSignalingStack::phoneReinvite(SimCall& call, const std::string& sdp,
                                            const std::string& ackAnswer) {
  SimDialog* d = dialogOf(call);
  if (d == nullptr || !d->confirmed_ || d->ended_) {
    call.reinviteStatus_ = 481;
    return;
  }
  SimCall* c = &call;
  uint64_t id = d->id_;
  d->toHandler([this, c, id, sdp, ackAnswer](sip::DialogHandler& h) {
    h.onOffer(sdp, [this, c, id, sdp, ackAnswer](int status, const std::string& answer) {
      dispatcher_.post([this, c, id, sdp, ackAnswer, status, answer] {
        c->reinviteStatus_ = status;
        if (status == 200 && !answer.empty()) c->remoteSdp_ = answer;
        // The ACK to the 200; it answers the 200's offer when our re-INVITE had none.
        if (status == 200) {
          std::string body = sdp.empty() ? ackAnswer : std::string();
          toHandler(id, [body](sip::DialogHandler& handler) { handler.onAck(body); });
        }
      });
    });
  });
}

void SimulatedSignalingStack::phoneRefer(SimCall& call, sip::ReferRequest refer) {
  SimDialog* d = dialogOf(call);
  // As sofia's: 481 outside a confirmed dialog, or for one nobody handles.
  if (d == nullptr || !d->confirmed_ || d->ended_ || d->handler_ == nullptr) {
    call.referStatus_ = 481;
    return;
  }
  SimCall* c = &call;
  uint64_t id = d->id_;
  d->toHandler([this, c, id, refer = std::move(refer)](sip::DialogHandler& h) {
    h.onRefer(refer, [this, c, id](int status) {
      // The subscription exists from the 2xx on: NOTIFYs sent right after it go out.
      if (SimDialog* dialog = find(id); dialog && status >= 200 && status < 300)
        dialog->referAccepted_ = true;
      dispatcher_.post([c, status] { c->referStatus_ = status; });
    });
  });
}

void SimulatedSignalingStack::phoneInfo(SimCall& call, const std::string& contentType,
                                        const std::string& body) {
  SimDialog* d = dialogOf(call);
  // As sofia's: INFO goes to call control in early dialogs too.
  if (d == nullptr || d->ended_ || d->handler_ == nullptr) {
    call.infoStatus_ = 481;
    return;
  }
  SimCall* c = &call;
  d->toHandler([this, c, contentType, body](sip::DialogHandler& h) {
    h.onInfo(contentType, body,
             [this, c](int status) { dispatcher_.post([c, status] { c->infoStatus_ = status; }); });
  });
}

std::optional<sip::Replaces> SimulatedSignalingStack::replacesFor(const SimCall& call) {
  SimDialog* d = dialogOf(call);
  if (d == nullptr) return std::nullopt;
  // Seen from the phone, the PBX's tag is the remote one: it goes in to-tag.
  sip::DialogId id = d->id();
  return sip::Replaces{id.callId, id.localTag, id.remoteTag, false};
}

}  // namespace pbx::testing
