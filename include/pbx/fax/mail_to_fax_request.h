// Mail2Fax request validation: turns a mail fetched from a Mail2Fax box into a fax request,
// or into a rejection whose text is mailed back to the sender (catalog §1.7, §1.12).
//
//   pbx::fax::MailToFaxPolicy policy;
//   policy.authentication = pbx::fax::MailToFaxAuthentication::kPin;
//   policy.pin = "12345";
//   policy.senders = {{"mario.rossi@example.org", "mario"}};
//   policy.instances = {"fax1", "fax2"};
//   auto result = pbx::fax::ParseMailToFaxRequest(mail, policy);
//   if (auto* rejection = std::get_if<pbx::fax::MailToFaxRejection>(&result)) {
//     ReplyToSender(mail.from, rejection->message);
//   } else {
//     Queue(std::get<pbx::fax::MailToFaxRequest>(result));
//   }
//
// The rules, from the seed documentation:
//  - Subject: the destination number; several numbers separated by ',' or ';'; each may
//    name the fax instance to send from as "number@instance". Spaces, '-', '.', '/' and
//    parentheses inside a number are dropped; what remains must be an optional '+' then
//    digits (and '*' or '#').
//  - Sender: the From address must be the address of an enabled user, compared case-
//    insensitively, and "user+anything@domain" is accepted for "user@domain" (fw 4.11.11).
//  - Authentication kPin: the text body must contain only "FAXPIN:<pin>" (surrounding
//    white space, e.g. the final newline a mail client adds, is ignored).
//  - Attachments: at least one; every attachment must be PDF, TIFF, DOC, DOCX or ODT,
//    recognised by file extension, then by content type, then by content (PDF and TIFF
//    signatures). Attachments are kept in mail order.
// PGP signatures and encrypted requests (seed: "PGP signature" method) are not supported.
//
// Thread-safety: stateless; call from any thread.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "pbx/fax/mail_message.h"

namespace pbx::fax {

enum class MailToFaxAuthentication { kNone, kPin };

struct MailToFaxSender {
  std::string address;  // the user's configured e-mail address
  std::string userId;   // the pbxkit user it belongs to
};

struct MailToFaxPolicy {
  MailToFaxAuthentication authentication = MailToFaxAuthentication::kNone;
  std::string pin;                       // kPin
  std::vector<MailToFaxSender> senders;  // the users enabled to send on this box's instances
  // Instance names the subject may name after '@'; empty: any name is accepted and
  // checked later by the fax service.
  std::vector<std::string> instances;
  size_t maxDestinations = 20;
};

enum class MailDocumentFormat { kPdf, kTiff, kDoc, kDocx, kOdt };

struct FaxDestination {
  std::string number;    // normalised: "+390501234567", "0501234567"
  std::string instance;  // empty: the first instance the Mail2Fax box belongs to
};

struct MailToFaxDocument {
  MailAttachment attachment;
  MailDocumentFormat format;
};

struct MailToFaxRequest {
  std::string userId;         // the matched sender
  std::string senderAddress;  // the From address as written
  std::vector<FaxDestination> destinations;
  std::vector<MailToFaxDocument> documents;
};

enum class MailToFaxRejectReason {
  kMissingSender,          // no usable From address
  kUnknownSender,          // From is not an enabled user's address
  kMissingPin,             // PIN authentication, but no "FAXPIN:" body
  kWrongPin,               // "FAXPIN:" with another PIN
  kNoDestination,          // empty subject
  kInvalidDestination,     // a subject entry is not a phone number
  kTooManyDestinations,    // more than MailToFaxPolicy::maxDestinations
  kUnknownInstance,        // "number@instance" names an instance not in the policy
  kNoAttachment,           // nothing to fax
  kUnsupportedAttachment,  // an attachment is not PDF/TIFF/DOC/DOCX/ODT
  kMalformedMessage,       // the MIME could not be parsed (see MailToFaxRejectionFor)
};

struct MailToFaxRejection {
  MailToFaxRejectReason reason;
  std::string message;  // one sentence for the sender, e.g. "The attachment x.zip is ..."
};

std::variant<MailToFaxRequest, MailToFaxRejection> ParseMailToFaxRequest(
    const MailMessage& mail, const MailToFaxPolicy& policy);

// The rejection for a fetched mail whose MIME could not be parsed.
MailToFaxRejection MailToFaxRejectionFor(const absl::Status& parseError);

// "unknown_sender", "wrong_pin", ... (stable names for logs, events and metrics).
const char* MailToFaxRejectReasonName(MailToFaxRejectReason reason);
const char* MailDocumentFormatName(MailDocumentFormat format);  // "pdf", "tiff", ...

// The document format of an attachment, by extension, content type, then content.
std::optional<MailDocumentFormat> DetectMailDocumentFormat(const MailAttachment& attachment);

// True when `from` (an address or "Name <address>") is `configured`, ignoring case and a
// "+subaddress" in `from`'s local part.
bool MailAddressMatches(absl::string_view from, absl::string_view configured);

}  // namespace pbx::fax
