// SofiaDialog: one INVITE dialog on a nua handle, in either role.
//
// Refcount rule: the dialog owns one reference to its nua handle (the one nua gave us for an
// incoming INVITE, or the one nua_handle() returned) and binds the handle's magic to itself.
// SofiaStack::finish() unbinds and destroys the handle and then the dialog, once nua reports
// the call state "terminated" — never earlier, so late responses (a 200 after our CANCEL) are
// still ACKed and BYEd here.
//
// Thread-safety: signaling thread only.
#pragma once

#include <sofia-sip/nua.h>

#include <memory>
#include <string>

#include "pbx/sip/signaling_stack.h"

namespace pbx::sip::internal {

class SofiaStack;

class SofiaDialog final : public Dialog {
 public:
  // `contact`: the Contact of our side of the dialog (LocalContact), or empty to let nua
  // write its own. `remoteTag`: the peer's tag, when known (the From tag of an INVITE).
  SofiaDialog(SofiaStack& stack, nua_handle_t* handle, bool uac, std::string callId,
              std::string contact, std::string remoteTag = {});
  ~SofiaDialog() override;

  void setHandler(DialogHandler* handler) override { handler_ = handler; }
  const std::string& callId() const override { return callId_; }
  void sendProvisional(int status, const std::string& reason, const std::string& sdp) override;
  void accept(const std::string& sdp) override;
  void reject(const Rejection& rejection) override;
  void hangup() override;
  DialogId id() const override;
  void reinvite(const std::string& sdp, ReinviteDone done) override;
  void notifyReferProgress(int status, const std::string& reason) override;
  void sendInfo(const std::string& contentType, const std::string& body) override;
  void setSessionTimer(uint32_t seconds, bool weRefresh) override;
  // What the INVITE asked of our responses (RFC 4028 Supported: timer, RFC 3262 100rel).
  void setPeerFeatures(bool supportsTimer, bool require100rel) {
    peerSupportsTimer_ = supportsTimer;
    require100rel_ = require100rel;
  }

  // 100 Trying now, unless the INVITE has had a response. For INVITEs over TCP, where nta's
  // own 100 would wait T2/2 = 2 s. The INVITE stays pending for overload control until a
  // real response.
  void sendTryingIfUnanswered();

  // One nua event for this handle. Returns true when the dialog is finished and may be freed.
  bool onEvent(nua_event_t event, int status, const char* phrase, const sip_t* sip, tagi_t tags[]);
  nua_handle_t* handle() const { return handle_; }
  const std::string& contact() const { return contact_; }

 private:
  void finalResponseDone();
  // The initial INVITE has had a response (sent or received): it no longer counts as pending.
  void responseSeen();
  void onInviteResponse(int status, const char* phrase, const sip_t* sip);
  void onOffer(const sip_t* sip);
  void onRefer(const sip_t* sip, tagi_t tags[]);
  void onInfo(const sip_t* sip);
  void endWithoutEvent();

  SofiaStack& stack_;
  nua_handle_t* handle_;
  const bool uac_;
  std::string callId_;  // for a UAC dialog, learnt from the first response
  const std::string contact_;
  std::string remoteTag_;  // the peer's tag: its INVITE's From tag, or its first response's To tag
  DialogHandler* handler_ = nullptr;
  bool inviteFinal_ = false;      // the initial INVITE transaction has its final response
  bool awaitingResponse_ = true;  // ... or not even a provisional one yet
  bool confirmed_ = false;
  bool ackReceived_ = false;
  bool ended_ = false;          // no more events go to the handler
  ReinviteDone reinviteDone_;   // our re-INVITE waits for its final response
  std::string referEvent_;      // the Event of our NOTIFYs for the REFER we accepted
  std::string sessionExpires_;  // "1800;refresher=uac" for our 2xx, or empty
  bool peerSupportsTimer_ = false;
  bool require100rel_ = false;
  // Responders for re-INVITE/UPDATE hold a weak reference: they do nothing once we are gone.
  std::shared_ptr<SofiaDialog*> self_;
};

}  // namespace pbx::sip::internal
