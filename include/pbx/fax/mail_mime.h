// MIME encoding and decoding of MailMessage (RFC 5322 / RFC 2045-2047), used by the SMTP
// sender and the mailbox poller, and usable on its own (tests, fuzzing, storing requests).
//
//   pbx::fax::MailMessage m = ...;
//   m.date = time.systemTime();
//   PBX_ASSIGN_OR_RETURN(std::string wire, pbx::fax::ComposeMime(m));  // CRLF line ends
//   PBX_ASSIGN_OR_RETURN(pbx::fax::MailMessage back, pbx::fax::ParseMime(wire));
//
// ComposeMime writes multipart/mixed when there are attachments (text/plain first, then
// each attachment base64-encoded with Content-Disposition: attachment and its filename),
// a plain text/plain message otherwise; the Subject is RFC 2047-encoded when it is not
// ASCII; Date and Message-ID are always present.
//
// ParseMime accepts untrusted input: it never crashes or asserts, and returns
// InvalidArgument for input that is not a mail message. The text body is the first
// text/plain part that is not an attachment (converted to UTF-8, line ends normalised to
// "\n"); attachments are the parts with a filename or a Content-Disposition of attachment.
//
// Thread-safety: both functions may be called concurrently from any thread.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pbx/fax/mail_message.h"

namespace pbx::fax {

// Requires message.from, at least one address in message.to, and message.date.
// Generates a Message-ID from the From domain when message.messageId is empty.
absl::StatusOr<std::string> ComposeMime(const MailMessage& message);

absl::StatusOr<MailMessage> ParseMime(absl::string_view raw);

}  // namespace pbx::fax
