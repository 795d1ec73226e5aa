// The message class pbxkit's nua parses with: sofia-sip's SIP class, except that a request
// line sofia cannot parse but that is recognisably a request (RFC 4475 §3.1.2.8: whitespace
// inside the Request-URI) is parsed with the whitespace removed and the message flagged as
// erroneous. nta then answers it "400 Bad Request" — as the RFC requires — instead of
// dropping it silently as garbage.
#pragma once

#include <sofia-sip/msg_mclass.h>

namespace pbx::sip::internal {
// Made once; lives for the process.
msg_mclass_t const* RequestLineCheckingMclass();
}  // namespace pbx::sip::internal
