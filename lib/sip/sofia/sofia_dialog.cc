#include "lib/sip/sofia/sofia_dialog.h"

#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>

#include "lib/base/log.h"
#include "lib/sip/sofia/request_ref.h"
#include "lib/sip/sofia/sofia_convert.h"
#include "lib/sip/sofia/sofia_stack.h"

namespace pbx::sip::internal {
namespace {
constexpr const char* kSdpType = "application/sdp";
}

SofiaDialog::SofiaDialog(SofiaStack& stack, nua_handle_t* handle, bool uac, std::string callId,
                         std::string contact)
    : stack_(stack),
      handle_(handle),
      uac_(uac),
      callId_(std::move(callId)),
      contact_(std::move(contact)),
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
  nua_respond(handle_, status, StablePhrase(status, reason),
              TAG_IF(!contact_.empty(), SIPTAG_CONTACT_STR(contact_.c_str())),
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
              SIPTAG_CONTENT_TYPE_STR(kSdpType), SIPTAG_PAYLOAD_STR(sdp.c_str()), TAG_END());
  finalResponseDone();
  confirmed_ = true;
}

void SofiaDialog::reject(const Rejection& r) {
  if (uac_ || inviteFinal_) return;
  std::string challenge = r.proxyChallenge ? r.proxyChallenge->headerValue() : std::string();
  std::string retry = r.retryAfterSeconds ? std::to_string(*r.retryAfterSeconds) : std::string();
  nua_respond(handle_, r.status, StablePhrase(r.status, r.reason),
              TAG_IF(!challenge.empty(), SIPTAG_PROXY_AUTHENTICATE_STR(challenge.c_str())),
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
  handler_->onOffer(
      sdp, [weak, handle, request, contact = contact_](int status, const std::string& answer) {
        if (weak.expired()) return;
        nua_respond(handle, status, StablePhrase(status, ""),
                    TAG_IF(request->msg(), NUTAG_WITH(request->msg())),
                    TAG_IF(status < 300 && !contact.empty(), SIPTAG_CONTACT_STR(contact.c_str())),
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
      onInviteResponse(status, phrase, sip);
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

}  // namespace pbx::sip::internal
