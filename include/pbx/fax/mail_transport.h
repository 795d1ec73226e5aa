// Blocking mail transport for the fax mail gateways: submit messages over SMTP, and poll a
// Mail2Fax mailbox over IMAP or POP3. Run it on the worker pool, never on the signaling
// thread (each call may block for up to the configured timeout).
//
//   pbx::fax::SmtpOptions smtp;
//   smtp.server = {"mail.example.com", 587, pbx::fax::MailTls::kStartTls, "pbx", "secret"};
//   PBX_ASSIGN_OR_RETURN(auto sender, pbx::fax::CreateSmtpSender(smtp));
//   PBX_RETURN_IF_ERROR(sender->send(message));
//
//   pbx::fax::MailboxOptions box;
//   box.protocol = pbx::fax::MailboxProtocol::kImap;
//   box.server = {"mail.example.com", 0, pbx::fax::MailTls::kImplicit, "fax", "secret"};
//   PBX_ASSIGN_OR_RETURN(auto mailbox, pbx::fax::CreateMailbox(box));
//   PBX_ASSIGN_OR_RETURN(auto mails, mailbox->fetchUnprocessed());
//   for (auto& mail : mails) {
//     if (HandleDurably(mail)) PBX_RETURN_IF_ERROR(mailbox->markProcessed(mail.id));
//   }
//
// At-least-once delivery: fetchUnprocessed() never changes the mailbox (IMAP fetches with
// BODY.PEEK, POP3 only reads), so a message is removed from the unprocessed set only by
// markProcessed(). A crash between the two returns the message again at the next poll; the
// caller deduplicates by id if it must.
//
// What "unprocessed" means per protocol:
//  - IMAP, kMarkSeen: messages without the \Seen flag in `folder` (UID SEARCH UNSEEN).
//    markProcessed sets \Seen.
//  - IMAP, kMoveToFolder / kDelete: every message still in `folder` that is not flagged
//    \Deleted, whether a person has read it or not. markProcessed moves the message to
//    `processedFolder` (UID MOVE, or COPY + \Deleted + EXPUNGE when the server has no MOVE;
//    the folder is created when the server answers TRYCREATE) or deletes and expunges it.
//  - POP3 has no flags: every message currently in the maildrop is unprocessed, and
//    markProcessed deletes it (DELE, committed by QUIT). Ids are the server's UIDL values.
//
// Errors are absl::Status, never exceptions: kUnavailable (connection refused, DNS, TLS or
// protocol failure), kUnauthenticated (login refused), kDeadlineExceeded (timeout),
// kFailedPrecondition (TLS required but not offered, message cannot be moved), kNotFound
// (markProcessed of an id no longer in the mailbox, or of an IMAP folder recreated since
// the fetch), kInvalidArgument (bad options or id).
// A message whose MIME cannot be parsed is still returned, with its parse error in
// FetchedMail::message, so the caller can reject and mark it processed.
//
// Thread-safety: send(), fetchUnprocessed() and markProcessed() each open their own
// connection, so they may be called from several threads (the sender's TimeSource is read
// from each). Poll one mailbox from one thread at a time, or messages are handed out twice.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pbx/base/time_source.h"
#include "pbx/fax/mail_message.h"

namespace pbx::fax {

enum class MailTls {
  kNone,      // plain text (tests, or a local relay)
  kStartTls,  // plain connection upgraded by STARTTLS/STLS; fails if the server does not offer it
  kImplicit,  // TLS from the first byte (smtps 465, imaps 993, pop3s 995)
};

struct MailServer {
  std::string host;
  uint16_t port = 0;  // 0: the protocol's default port for the TLS mode
  MailTls tls = MailTls::kStartTls;
  std::string username;  // empty: no authentication
  std::string password;
  // Applies to connecting and to the whole of each operation.
  std::chrono::milliseconds timeout = std::chrono::seconds(30);
  bool verifyPeer = true;  // verify the server certificate and host name (TLS modes)
  std::string caFile;      // empty: the system CA store
};

struct SmtpOptions {
  MailServer server;
  // Envelope sender (MAIL FROM); empty: the address of the message's From header.
  std::string envelopeFrom;
};

class MailSender {
 public:
  virtual ~MailSender() = default;
  // Encodes `message` (see pbx/fax/mail_mime.h) and submits it to every address in
  // message.to. Fills the Date header from the TimeSource when message.date is unset.
  virtual absl::Status send(const MailMessage& message) = 0;
};
using MailSenderPtr = std::unique_ptr<MailSender>;

// Validates the options; does not connect. `time` (for the Date header) must outlive the
// sender.
absl::StatusOr<MailSenderPtr> CreateSmtpSender(SmtpOptions options,
                                               const TimeSource& time = RealTime());

enum class MailboxProtocol { kImap, kPop3 };

enum class ProcessedAction {
  kMarkSeen,      // IMAP only: set \Seen
  kMoveToFolder,  // IMAP only: move to MailboxOptions::processedFolder
  kDelete,        // IMAP: \Deleted + EXPUNGE; POP3: DELE (the only choice for POP3)
};

struct MailboxOptions {
  MailboxProtocol protocol = MailboxProtocol::kImap;
  MailServer server;
  std::string folder = "INBOX";  // IMAP only
  ProcessedAction processedAction = ProcessedAction::kMarkSeen;
  std::string processedFolder;     // IMAP kMoveToFolder; created if missing
  size_t maxMessagesPerPoll = 50;  // 0: no limit
};

struct FetchedMail {
  // Opaque and stable across connections; pass it to markProcessed(). IMAP:
  // "<UIDVALIDITY>.<UID>"; POP3: the server's UIDL.
  std::string id;
  // The parsed message, or why its MIME could not be parsed.
  absl::StatusOr<MailMessage> message;
  size_t rawSize = 0;  // bytes of the message as stored on the server
};

class Mailbox {
 public:
  virtual ~Mailbox() = default;
  // Returns the unprocessed messages (at most maxMessagesPerPoll), oldest first.
  virtual absl::StatusOr<std::vector<FetchedMail>> fetchUnprocessed() = 0;
  // Applies the configured ProcessedAction to the message with this id.
  virtual absl::Status markProcessed(absl::string_view id) = 0;
};
using MailboxPtr = std::unique_ptr<Mailbox>;

// Validates the options (POP3 requires kDelete; kMoveToFolder requires processedFolder);
// does not connect.
absl::StatusOr<MailboxPtr> CreateMailbox(MailboxOptions options);

}  // namespace pbx::fax
