// Mail2Fax request validation (S000:140-161, S004:1083; catalog §1.7).
#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "pbx/fax/mail_to_fax_request.h"

namespace pbx::fax {
namespace {

using Result = std::variant<MailToFaxRequest, MailToFaxRejection>;

MailToFaxRejection Reject(MailToFaxRejectReason reason, std::string message) {
  return {reason, std::move(message)};
}

// "+39 (050) 123-45.67" -> "+390501234567"; empty when it is not a phone number.
std::string NormalizeNumber(absl::string_view text) {
  std::string number;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '-' || c == '.' || c == '/' || c == '(' || c == ')') continue;
    number += c;
  }
  if (number.empty() || number.size() > 32) return "";
  for (size_t i = 0; i < number.size(); ++i) {
    char c = number[i];
    bool ok = absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '*' || c == '#' ||
              (c == '+' && i == 0 && number.size() > 1);
    if (!ok) return "";
  }
  return number;
}

// The local part without "+subaddress", and the domain, lower-cased.
std::pair<std::string, std::string> CanonicalAddress(absl::string_view address) {
  std::string lower = absl::AsciiStrToLower(address);
  size_t at = lower.rfind('@');
  if (at == std::string::npos) return {lower, ""};
  std::string local = lower.substr(0, at);
  size_t plus = local.find('+');
  if (plus != std::string::npos && plus > 0) local.resize(plus);
  return {local, lower.substr(at + 1)};
}

std::optional<MailToFaxRejection> ParseDestinations(absl::string_view subject,
                                                    const MailToFaxPolicy& policy,
                                                    std::vector<FaxDestination>* out) {
  for (absl::string_view entry : absl::StrSplit(subject, absl::ByAnyChar(",;"))) {
    entry = absl::StripAsciiWhitespace(entry);
    if (entry.empty()) continue;
    FaxDestination destination;
    absl::string_view number_text = entry;
    size_t at = entry.find('@');
    if (at != absl::string_view::npos) {
      number_text = entry.substr(0, at);
      destination.instance = std::string(absl::StripAsciiWhitespace(entry.substr(at + 1)));
      bool known =
          policy.instances.empty() || std::find(policy.instances.begin(), policy.instances.end(),
                                                destination.instance) != policy.instances.end();
      if (destination.instance.empty() || !known) {
        return Reject(MailToFaxRejectReason::kUnknownInstance,
                      absl::StrCat("The subject names the FAX line \"", destination.instance,
                                   "\", which does not exist or is not served by this "
                                   "Mail2Fax box."));
      }
    }
    destination.number = NormalizeNumber(number_text);
    if (destination.number.empty()) {
      return Reject(MailToFaxRejectReason::kInvalidDestination,
                    absl::StrCat("\"", entry,
                                 "\" in the subject is not a FAX number. Write the "
                                 "number to send to, e.g. 0501234567 or 0501234567@line; "
                                 "separate several numbers with ',' or ';'."));
    }
    out->push_back(std::move(destination));
  }
  if (out->empty()) {
    return Reject(MailToFaxRejectReason::kNoDestination,
                  "The subject is empty: write the FAX number to send to in the subject.");
  }
  if (out->size() > policy.maxDestinations) {
    return Reject(MailToFaxRejectReason::kTooManyDestinations,
                  absl::StrCat("The subject lists ", out->size(), " FAX numbers; at most ",
                               policy.maxDestinations, " are allowed per mail."));
  }
  return std::nullopt;
}

std::optional<MailToFaxRejection> CheckPin(const MailMessage& mail, const MailToFaxPolicy& policy) {
  if (policy.authentication != MailToFaxAuthentication::kPin) return std::nullopt;
  absl::string_view body = absl::StripAsciiWhitespace(mail.textBody);
  if (!absl::StartsWith(body, "FAXPIN:")) {
    return Reject(MailToFaxRejectReason::kMissingPin,
                  "This FAX line requires a PIN: the text of the mail must contain only "
                  "FAXPIN:<your PIN>.");
  }
  if (body.substr(7) != policy.pin || policy.pin.empty()) {
    return Reject(MailToFaxRejectReason::kWrongPin, "The FAX PIN in the mail is not valid.");
  }
  return std::nullopt;
}

}  // namespace

bool MailAddressMatches(absl::string_view from, absl::string_view configured) {
  std::string address = MailAddressOf(from);
  std::string expected = MailAddressOf(configured);
  if (address.empty() || expected.empty()) return false;
  return CanonicalAddress(address) == CanonicalAddress(expected);
}

Result ParseMailToFaxRequest(const MailMessage& mail, const MailToFaxPolicy& policy) {
  MailToFaxRequest request;
  request.senderAddress = MailAddressOf(mail.from);
  if (request.senderAddress.empty() || request.senderAddress.find('@') == std::string::npos) {
    return Reject(MailToFaxRejectReason::kMissingSender, "The mail has no valid sender address.");
  }
  auto sender = std::find_if(policy.senders.begin(), policy.senders.end(), [&](const auto& s) {
    return MailAddressMatches(request.senderAddress, s.address);
  });
  if (sender == policy.senders.end()) {
    return Reject(MailToFaxRejectReason::kUnknownSender,
                  absl::StrCat("The address ", request.senderAddress,
                               " is not enabled to send FAXes through this Mail2Fax box."));
  }
  request.userId = sender->userId;
  if (auto rejection = CheckPin(mail, policy)) return *rejection;
  if (auto rejection = ParseDestinations(mail.subject, policy, &request.destinations)) {
    return *rejection;
  }
  if (mail.attachments.empty()) {
    return Reject(MailToFaxRejectReason::kNoAttachment,
                  "The mail has no attachment: attach the document to FAX (PDF, TIFF, DOC, "
                  "DOCX or ODT).");
  }
  for (const MailAttachment& attachment : mail.attachments) {
    std::optional<MailDocumentFormat> format = DetectMailDocumentFormat(attachment);
    if (!format) {
      return Reject(MailToFaxRejectReason::kUnsupportedAttachment,
                    absl::StrCat("The attachment \"", attachment.filename,
                                 "\" cannot be sent as a FAX: supported formats are PDF, TIFF, "
                                 "DOC, DOCX and ODT."));
    }
    request.documents.push_back({attachment, *format});
  }
  return request;
}

MailToFaxRejection MailToFaxRejectionFor(const absl::Status& parseError) {
  return Reject(MailToFaxRejectReason::kMalformedMessage,
                absl::StrCat("The mail could not be read (", parseError.message(),
                             "); please send it again."));
}

const char* MailToFaxRejectReasonName(MailToFaxRejectReason reason) {
  switch (reason) {
    case MailToFaxRejectReason::kMissingSender:
      return "missing_sender";
    case MailToFaxRejectReason::kUnknownSender:
      return "unknown_sender";
    case MailToFaxRejectReason::kMissingPin:
      return "missing_pin";
    case MailToFaxRejectReason::kWrongPin:
      return "wrong_pin";
    case MailToFaxRejectReason::kNoDestination:
      return "no_destination";
    case MailToFaxRejectReason::kInvalidDestination:
      return "invalid_destination";
    case MailToFaxRejectReason::kTooManyDestinations:
      return "too_many_destinations";
    case MailToFaxRejectReason::kUnknownInstance:
      return "unknown_instance";
    case MailToFaxRejectReason::kNoAttachment:
      return "no_attachment";
    case MailToFaxRejectReason::kUnsupportedAttachment:
      return "unsupported_attachment";
    case MailToFaxRejectReason::kMalformedMessage:
      return "malformed_message";
  }
  return "unknown";
}

}  // namespace pbx::fax
