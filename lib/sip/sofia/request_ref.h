// RequestRef: the request nua is delivering now, held by reference until it is answered.
//
// nua_respond() without NUTAG_WITH answers the handle's INVITE; any other request on the
// handle (an UPDATE inside the dialog, a REGISTER) must be named, or nua reports "Responding
// to a Non-Existing Request" and nothing is sent.
#pragma once

#include <sofia-sip/msg.h>
#include <sofia-sip/nua.h>

namespace pbx::sip::internal {

class RequestRef {
 public:
  explicit RequestRef(nua_t* nua) : msg_(nua_current_request(nua)) {
    if (msg_) msg_ref_create(msg_);
  }
  ~RequestRef() {
    if (msg_) msg_ref_destroy(msg_);
  }
  RequestRef(const RequestRef&) = delete;
  RequestRef& operator=(const RequestRef&) = delete;

  // The message to pass as NUTAG_WITH(), or null when nua delivered none.
  msg_t* msg() const { return msg_; }

 private:
  msg_t* msg_;
};

}  // namespace pbx::sip::internal
