// Mail message value types shared by the fax mail gateways (Mail2Fax, Fax2Mail, reports).
//
// A MailMessage is what the SMTP sender submits and what the mailbox poller returns after
// parsing a fetched message. It holds decoded text (UTF-8) and decoded attachment bytes; the
// MIME encoding lives in lib/fax/mail/ (see pbx/fax/mail_mime.h).
//
//   pbx::fax::MailMessage m;
//   m.from = "PBX <pbx@example.com>";
//   m.to = {"alice@example.com"};
//   m.subject = "[KPBX40299999] FAX successfully received from 00501234567";
//   m.textBody = "FAX received from 0501234567\n";
//   m.attachments.push_back({"fax.pdf", "application/pdf", pdfBytes});
//
// Thread-safety: plain values; the usual rules for standard containers apply.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "pbx/base/time_source.h"

namespace pbx::fax {

struct MailAttachment {
  std::string filename;     // decoded, e.g. "F00501234567_T0509655637_..._211.pdf"
  std::string contentType;  // "type/subtype", lower case, e.g. "application/pdf"
  std::string bytes;        // decoded content (binary-safe)
};

struct MailMessage {
  // Addresses as written in a header: "Name <addr@host>" or "addr@host". Use MailAddressOf()
  // for the bare address.
  std::string from;
  std::vector<std::string> to;
  std::string subject;   // decoded UTF-8 (RFC 2047 is applied when the message is encoded)
  std::string textBody;  // UTF-8, lines separated by "\n"
  std::vector<MailAttachment> attachments;
  // Set when composing to override the Date header (otherwise the sender's TimeSource is
  // used); filled from the Date header when parsing, if it is valid.
  std::optional<SystemTime> date;
  // Without angle brackets. Generated when composing if empty; read back when parsing.
  std::string messageId;
};

// The addr-spec of a header address: "Mario <Mario@Example.org>" -> "Mario@Example.org",
// " bob@example.com " -> "bob@example.com". Returns an empty string when there is none.
std::string MailAddressOf(absl::string_view headerAddress);

}  // namespace pbx::fax
