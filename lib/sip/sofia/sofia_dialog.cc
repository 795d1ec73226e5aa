#include "lib/sip/sofia/sofia_dialog.h"

#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_alloc.h>

#include <cstring>

#include "absl/strings/ascii.h"
#include "lib/base/log.h"
#include "lib/sip/sofia/request_ref.h"
#include "lib/sip/sofia/sofia_convert.h"
#include "lib/sip/sofia/sofia_stack.h"

namespace pbx::sip::internal {
namespace {
constexpr const char* kSdpType = "application/sdp";
}

SofiaDialog::SofiaDialog(SofiaStack& stack, nua_handle_t* handle, bool uac, std::string callId,
                         std::string contact, std::string remoteTag)
    : stack_(stack),
      handle_(handle),
      uac_(uac),
      callId_(std::move(callId)),
      contact_(std::move(contact)),
      remoteTag_(std::move(remoteTag)),
      self_(std::make_shared<SofiaDialog*>(this)) {
  stack_.invitePending(+1);
}

SofiaDialog::~SofiaDialog() { responseSeen(); }

void SofiaDialog::responseSeen() {
  if (awaitingResponse_) {
    awaitingResponse_ = false;
    stack_.invitePending(-1);
  }
}

void SofiaDialog::finalResponseDone() {
  inviteFinal_ = true;
  responseSeen();
}

void SofiaDialog::sendProvisional(int status, const std::string& reason, const std::string& sdp) {
  if (uac_ || inviteFinal_ || ended_) return;
  responseSeen();
  // A caller that requires 100rel gets every 1xx but 100 reliably; nua sends it with RSeq,
  // retransmits it until the PRACK and answers the PRACK itself.
  bool reliable = require100rel_ && status > 100;
  nua_respond(handle_, status, StablePhrase(status, reason),
              TAG_IF(!contact_.empty(), SIPTAG_CONTACT_STR(contact_.c_str())),
              TAG_IF(reliable, SIPTAG_REQUIRE_STR("100rel")),
              TAG_IF(!sdp.empty(), SIPTAG_CONTENT_TYPE_STR(kSdpType)),
              TAG_IF(!sdp.empty(), SIPTAG_PAYLOAD_STR(sdp.c_str())), TAG_END());
}

void SofiaDialog::sendTryingIfUnanswered() {
  if (uac_ || inviteFinal_ || ended_ || !awaitingResponse_) return;
  nua_respond(handle_, SIP_100_TRYING,
              TAG_IF(!contact_.empty(), SIPTAG_CONTACT_STR(contact_.c_str())), TAG_END());
}

void SofiaDialog::accept(const std::string& sdp) {
  if (uac_ || inviteFinal_ || ended_) return;
  nua_respond(handle_, SIP_200_OK, TAG_IF(!contact_.empty(), SIPTAG_CONTACT_STR(contact_.c_str())),
              TAG_IF(!sessionExpires_.empty(), SIPTAG_SESSION_EXPIRES_STR(sessionExpires_.c_str())),
              TAG_IF(!sessionExpires_.empty() && peerSupportsTimer_, SIPTAG_REQUIRE_STR("timer")),
              SIPTAG_CONTENT_TYPE_STR(kSdpType), SIPTAG_PAYLOAD_STR(sdp.c_str()), TAG_END());
  finalResponseDone();
  confirmed_ = true;
}

void SofiaDialog::reject(const Rejection& r) {
  if (uac_ || inviteFinal_) return;
  std::string challenge = r.proxyChallenge ? r.proxyChallenge->headerValue() : std::string();
  std::string retry = r.retryAfterSeconds ? std::to_string(*r.retryAfterSeconds) : std::string();
  std::string minSE = r.minSessionExpires ? std::to_string(*r.minSessionExpires) : std::string();
  nua_respond(handle_, r.status, StablePhrase(r.status, r.reason),
              TAG_IF(!challenge.empty(), SIPTAG_PROXY_AUTHENTICATE_STR(challenge.c_str())),
              TAG_IF(!minSE.empty(), SIPTAG_MIN_SE_STR(minSE.c_str())),
              TAG_IF(!retry.empty(), SIPTAG_RETRY_AFTER_STR(retry.c_str())), TAG_END());
  finalResponseDone();
  endWithoutEvent();
}

void SofiaDialog::hangup() {
  if (ended_) return;
  if (confirmed_) {
    nua_bye(handle_, TAG_END());
  } else if (uac_) {
    nua_cancel(handle_, TAG_END());
  } else {
    reject({480, "Temporarily Unavailable"});
    return;
  }
  endWithoutEvent();
}

void SofiaDialog::endWithoutEvent() {
  ended_ = true;
  handler_ = nullptr;
}

void SofiaDialog::onInviteResponse(int status, const char* phrase, const sip_t* sip) {
  responseSeen();
  // The first tag the callee answered with is the dialog's, as nua takes it.
  if (remoteTag_.empty() && status > 100 && status < 300 && sip && sip->sip_to &&
      sip->sip_to->a_tag)
    remoteTag_ = sip->sip_to->a_tag;
  if (status < 200) {
    if (status > 100 && handler_ && !ended_)
      handler_->onProvisional(status, phrase ? phrase : "", SdpBodyOf(sip));
    return;
  }
  bool wasFinal = inviteFinal_;
  finalResponseDone();
  if (status < 300) {
    if (ended_) {
      // A 2xx that crossed our CANCEL (or a retransmission after we hung up): end it.
      if (!wasFinal) nua_bye(handle_, TAG_END());
      return;
    }
    if (wasFinal) return;  // a retransmitted 2xx
    confirmed_ = true;
    if (handler_) handler_->onAnswered(SdpBodyOf(sip));
    return;
  }
  if (ended_ || wasFinal) return;
  DialogHandler* handler = handler_;
  endWithoutEvent();
  if (handler) handler->onFailed(status, phrase ? phrase : "");
}

void SofiaDialog::onOffer(const sip_t* sip) {
  // The answer names its request: an UPDATE shares the handle with the dialog's INVITE.
  auto request = std::make_shared<RequestRef>(stack_.nua());
  std::string sdp = SdpBodyOf(sip);
  if (ended_ || handler_ == nullptr) {
    nua_respond(handle_, 481, "Call/Transaction Does Not Exist",
                TAG_IF(request->msg(), NUTAG_WITH(request->msg())), TAG_END());
    return;
  }
  std::weak_ptr<SofiaDialog*> weak = self_;
  nua_handle_t* handle = handle_;
  handler_->onOffer(sdp, [weak, handle, request, contact = contact_, expires = sessionExpires_](
                             int status, const std::string& answer) {
    if (weak.expired()) return;
    nua_respond(
        handle, status, StablePhrase(status, ""),
        TAG_IF(request->msg(), NUTAG_WITH(request->msg())),
        TAG_IF(status < 300 && !contact.empty(), SIPTAG_CONTACT_STR(contact.c_str())),
        TAG_IF(status < 300 && !expires.empty(), SIPTAG_SESSION_EXPIRES_STR(expires.c_str())),
        TAG_IF(!answer.empty(), SIPTAG_CONTENT_TYPE_STR(kSdpType)),
        TAG_IF(!answer.empty(), SIPTAG_PAYLOAD_STR(answer.c_str())), TAG_END());
  });
}

bool SofiaDialog::onEvent(nua_event_t event, int status, const char* phrase, const sip_t* sip,
                          tagi_t tags[]) {
  if (callId_.empty() && sip && sip->sip_call_id && sip->sip_call_id->i_id)
    callId_ = sip->sip_call_id->i_id;
  switch (event) {
    case nua_r_invite:
      if (reinviteDone_ && inviteFinal_) {
        if (status >= 200) {
          ReinviteDone done = std::move(reinviteDone_);
          reinviteDone_ = nullptr;
          if (handler_ && !ended_) done(status, status < 300 ? SdpBodyOf(sip) : std::string());
        }
        break;
      }
      onInviteResponse(status, phrase, sip);
      break;
    case nua_i_refer:
      onRefer(sip, tags);
      break;
    case nua_i_info:
      onInfo(sip);
      break;
    case nua_i_invite:  // a re-INVITE on a dialog we already know
      onOffer(sip);
      break;
    case nua_i_update:
      onOffer(sip);
      break;
    case nua_i_ack:
      ackReceived_ = true;
      if (handler_ && !ended_) handler_->onAck(SdpBodyOf(sip));
      break;
    case nua_i_cancel:
      if (!inviteFinal_) finalResponseDone();  // nua has answered 487
      if (!ended_) {
        DialogHandler* handler = handler_;
        endWithoutEvent();
        if (handler) handler->onCancelled();
      }
      break;
    case nua_i_bye:
      if (!ended_) {
        DialogHandler* handler = handler_;
        endWithoutEvent();
        if (handler) handler->onTerminated(TerminationReason::kRemoteBye);
      }
      break;
    case nua_i_state: {
      int state = nua_callstate_init;
      tl_gets(tags, NUTAG_CALLSTATE_REF(state), TAG_END());
      if (state != nua_callstate_terminated) break;
      if (!ended_) {
        DialogHandler* handler = handler_;
        endWithoutEvent();
        if (handler) {
          if (confirmed_) {
            handler->onTerminated(!uac_ && !ackReceived_  ? TerminationReason::kAckTimeout
                                  : stack_.shuttingDown() ? TerminationReason::kShutdown
                                                          : TerminationReason::kTransportError);
          } else if (uac_) {
            handler->onFailed(status >= 300 ? status : 408, phrase ? phrase : "Request Timeout");
          } else {
            handler->onCancelled();
          }
        }
      }
      return true;
    }
    default:
      break;
  }
  return false;
}

DialogId SofiaDialog::id() const {
  // nua_handle_local()/nua_handle_remote() are the addresses nua made the handle with, not the
  // dialog's: for an incoming INVITE neither carries a tag. Our tag lives in nua's nta leg, and
  // a Replaces made for the peer names it as its from-tag ("0" while the leg has none yet); the
  // peer's is the one we saw in its INVITE or first response.
  DialogId out{callId_, {}, remoteTag_};
  su_home_t home[1] = {SU_HOME_INIT(home)};
  if (const sip_replaces_t* made = nua_handle_make_replaces(handle_, home, 0);
      made && made->rp_from_tag && strcmp(made->rp_from_tag, "0") != 0)
    out.localTag = made->rp_from_tag;
  su_home_deinit(home);
  return out;
}

void SofiaDialog::reinvite(const std::string& sdp, ReinviteDone done) {
  if (!confirmed_ || ended_ || !done) return;
  if (reinviteDone_) {  // one at a time, as RFC 3261 14.1 asks of a UA
    std::weak_ptr<SofiaDialog*> weak = self_;
    stack_.loop().post([weak, done = std::move(done)] {
      if (!weak.expired()) done(491, "");
    });
    return;
  }
  reinviteDone_ = std::move(done);
  nua_invite(handle_, SIPTAG_CONTENT_TYPE_STR(kSdpType), SIPTAG_PAYLOAD_STR(sdp.c_str()),
             TAG_IF(!contact_.empty(), SIPTAG_CONTACT_STR(contact_.c_str())), TAG_END());
}

void SofiaDialog::setSessionTimer(uint32_t seconds, bool weRefresh) {
  sessionExpires_ =
      seconds == 0 ? std::string()
                   : std::to_string(seconds) + (weRefresh ? ";refresher=uas" : ";refresher=uac");
}

void SofiaDialog::sendInfo(const std::string& contentType, const std::string& body) {
  if (!confirmed_ || ended_) return;
  nua_info(handle_, SIPTAG_CONTENT_TYPE_STR(contentType.c_str()), SIPTAG_PAYLOAD_STR(body.c_str()),
           TAG_END());
}

void SofiaDialog::notifyReferProgress(int status, const std::string& reason) {
  if (ended_ || referEvent_.empty()) return;
  std::string fragment =
      "SIP/2.0 " + std::to_string(status) + " " + StablePhrase(status, reason) + "\r\n";
  bool final = status >= 200;
  // The Event names the subscription nua made for the REFER (its notifier usage); without
  // NUTAG_NEWSUB a subscription nua has already ended (its refer_expires ran out) stays ended
  // instead of coming back for one NOTIFY. NOTIFY refreshes the peer's target: our Contact.
  nua_notify(handle_, SIPTAG_EVENT_STR(referEvent_.c_str()),
             SIPTAG_CONTENT_TYPE_STR("message/sipfrag;version=2.0"),
             SIPTAG_PAYLOAD_STR(fragment.c_str()),
             NUTAG_SUBSTATE(final ? nua_substate_terminated : nua_substate_active),
             TAG_IF(final, SIPTAG_SUBSCRIPTION_STATE_STR("terminated;reason=noresource")),
             TAG_IF(!contact_.empty(), SIPTAG_CONTACT_STR(contact_.c_str())), TAG_END());
  if (final) referEvent_.clear();
}

void SofiaDialog::onRefer(const sip_t* sip, tagi_t tags[]) {
  auto request = std::make_shared<RequestRef>(stack_.nua());
  // A 2xx to REFER refreshes the peer's target (RFC 3515 2.4.3, RFC 3261 12.2): our Contact.
  auto respond = [handle = handle_, request, contact = contact_](int status) {
    nua_respond(handle, status, StablePhrase(status, ""),
                TAG_IF(request->msg(), NUTAG_WITH(request->msg())),
                TAG_IF(status < 300 && !contact.empty(), SIPTAG_CONTACT_STR(contact.c_str())),
                TAG_END());
  };
  if (ended_ || handler_ == nullptr || !confirmed_) return respond(481);
  if (sip == nullptr || sip->sip_refer_to == nullptr ||
      sip->sip_refer_to->r_url->url_type != url_sip)
    return respond(400);
  ReferRequest refer;
  url_t target = *sip->sip_refer_to->r_url;
  refer.replaces = ReplacesOfUriHeaders(target.url_headers);
  if (target.url_headers && !refer.replaces) {
    std::string headers = target.url_headers;
    if (absl::AsciiStrToLower(headers).find("replaces") != std::string::npos) return respond(400);
  }
  target.url_headers = nullptr;
  refer.referTo = ToUri(&target);
  if (sip->sip_referred_by) {
    char buffer[512];
    if (sip_header_e(buffer, sizeof buffer,
                     reinterpret_cast<const sip_header_t*>(sip->sip_referred_by), 0) > 0)
      refer.referredBy = buffer;
  }
  // The Event our NOTIFYs carry: "refer;id=<CSeq>" (RFC 3515 2.4.6), as nua names it.
  const sip_event_t* event = nullptr;
  tl_gets(tags, NUTAG_REFER_EVENT_REF(event), TAG_END());
  std::string eventText = "refer";
  if (event && event->o_type) {
    eventText = event->o_type;
    if (event->o_id) eventText += std::string(";id=") + event->o_id;
  } else if (sip->sip_cseq) {
    eventText = "refer;id=" + std::to_string(sip->sip_cseq->cs_seq);
  }
  std::weak_ptr<SofiaDialog*> weak = self_;
  handler_->onRefer(refer, [weak, respond, eventText](int status) {
    if (weak.expired()) return;
    if (status >= 200 && status < 300) (**weak.lock()).referEvent_ = eventText;
    respond(status);
  });
}

void SofiaDialog::onInfo(const sip_t* sip) {
  auto request = std::make_shared<RequestRef>(stack_.nua());
  auto respond = [handle = handle_, request](int status) {
    nua_respond(handle, status, StablePhrase(status, ""),
                TAG_IF(request->msg(), NUTAG_WITH(request->msg())), TAG_END());
  };
  if (ended_ || handler_ == nullptr) return respond(481);
  std::string type = sip && sip->sip_content_type && sip->sip_content_type->c_type
                         ? sip->sip_content_type->c_type
                         : "";
  std::string body = sip && sip->sip_payload && sip->sip_payload->pl_data
                         ? std::string(sip->sip_payload->pl_data, sip->sip_payload->pl_len)
                         : "";
  std::weak_ptr<SofiaDialog*> weak = self_;
  handler_->onInfo(type, body, [weak, respond](int status) {
    if (!weak.expired()) respond(status);
  });
}

}  // namespace pbx::sip::internal
