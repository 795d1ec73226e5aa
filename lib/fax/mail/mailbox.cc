// CreateMailbox: option validation and the choice of protocol.
#include "absl/strings/str_cat.h"
#include "lib/fax/mail/mailboxes.h"
#include "pbx/fax/mail_mime.h"

namespace pbx::fax {

namespace internal {

FetchedMail MakeFetchedMail(std::string id, const std::string& raw) {
  FetchedMail mail;
  mail.id = std::move(id);
  mail.rawSize = raw.size();
  mail.message = ParseMime(raw);
  return mail;
}

}  // namespace internal

absl::StatusOr<MailboxPtr> CreateMailbox(MailboxOptions options) {
  const char* name = options.protocol == MailboxProtocol::kImap ? "IMAP" : "POP3";
  if (options.server.host.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(name, ": no server host configured"));
  }
  if (options.server.timeout.count() <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(name, ": the timeout must be positive"));
  }
  if (options.protocol == MailboxProtocol::kPop3) {
    if (options.processedAction != ProcessedAction::kDelete) {
      return absl::InvalidArgumentError(
          "POP3 has no flags or folders: processedAction must be kDelete");
    }
    return internal::NewPop3Mailbox(std::move(options));
  }
  if (options.folder.empty()) return absl::InvalidArgumentError("IMAP: no folder configured");
  if (options.processedAction == ProcessedAction::kMoveToFolder &&
      options.processedFolder.empty()) {
    return absl::InvalidArgumentError("IMAP: kMoveToFolder needs processedFolder");
  }
  return internal::NewImapMailbox(std::move(options));
}

}  // namespace pbx::fax
