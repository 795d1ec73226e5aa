// The Mailbox implementations behind CreateMailbox(); see pbx/fax/mail_transport.h for the
// contract. Internal to lib/fax/mail.
//
// Thread-safety: as Mailbox.
#pragma once

#include "pbx/fax/mail_transport.h"

namespace pbx::fax::internal {

MailboxPtr NewImapMailbox(MailboxOptions options);
MailboxPtr NewPop3Mailbox(MailboxOptions options);

// Parses one fetched message; a MIME error becomes the FetchedMail's message status.
FetchedMail MakeFetchedMail(std::string id, const std::string& raw);

}  // namespace pbx::fax::internal
