// Call: DTMF over SIP — digits sent to a leg as INFO, and INFO digits from a phone, which
// become digits of the call and reach the other party in its own method.
#include <cctype>
#include <cstring>

#include "absl/strings/ascii.h"
#include "lib/call/call.h"

namespace pbx::call {

absl::Status Call::sendDtmf(Leg& leg, const std::string& digits) {
  if (leg.state != LegState::kAnswered || !leg.up())
    return absl::FailedPreconditionError("leg " + leg.id.str() + " is not answered");
  for (char c : digits)
    if (!std::isdigit(static_cast<unsigned char>(c)) && !std::strchr("*#ABCDabcd", c))
      return absl::InvalidArgumentError(std::string("not a DTMF digit: '") + c + "'");
  for (char c : digits)
    leg.sendInfo(
        "application/dtmf-relay",
        std::string("Signal=") + static_cast<char>(std::toupper(c)) + "\r\nDuration=160\r\n");
  return absl::OkStatus();
}

void Call::legInfo(Leg& leg, const std::string& contentType, const std::string& body,
                   sip::StatusResponder respond) {
  std::string type = absl::AsciiStrToLower(contentType);
  if (type != "application/dtmf-relay" && type != "application/dtmf") return respond(415);
  // The digit: "Signal=5" in dtmf-relay, the bare digit in application/dtmf.
  std::string digit;
  if (type == "application/dtmf") {
    digit = std::string(absl::StripAsciiWhitespace(body));
  } else {
    auto at = absl::AsciiStrToLower(body).find("signal=");
    if (at != std::string::npos) {
      std::string rest = body.substr(at + 7);
      digit = std::string(absl::StripAsciiWhitespace(rest.substr(0, rest.find_first_of("\r\n"))));
    }
  }
  if (digit.size() != 1 ||
      (!std::isdigit(static_cast<unsigned char>(digit[0])) && !std::strchr("*#ABCDabcd", digit[0])))
    return respond(400);
  respond(200);
  digitFrom(leg, {static_cast<char>(std::toupper(digit[0])), std::chrono::milliseconds(100),
                  media::DtmfMethod::kInfo});
  // The other party gets it as RFC 4733 events when it negotiated them, else as it came.
  Leg* to = other(leg);
  if (!to || to->state != LegState::kAnswered) return;
  if (to->format.telephoneEvent >= 0 && bridge_) {
    bridge_->relay().sendDtmf(
        to->side, {static_cast<char>(std::toupper(digit[0])), std::chrono::milliseconds(100),
                   media::DtmfMethod::kRfc4733});
  } else {
    to->sendInfo(contentType, body);
  }
}

}  // namespace pbx::call
