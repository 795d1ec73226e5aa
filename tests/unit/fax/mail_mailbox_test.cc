// Mail2Fax requests fetched over IMAP and POP3 from a real Dovecot (throwaway config, run
// unprivileged on 127.0.0.1, free ports), validated, and marked processed only after the
// caller confirms: an unconfirmed message is fetched again.
#include <doctest/doctest.h>

#include <map>

#include "absl/strings/match.h"
#include "pbx/fax/mail_mime.h"
#include "pbx/fax/mail_to_fax_request.h"
#include "pbx/fax/mail_transport.h"
#include "tests/unit/fax/mail_test_servers.h"

namespace pbx::fax {
namespace {

using namespace std::chrono_literals;
using testing::DovecotServer;

std::string RawMail(const std::string& from, const std::string& subject, const std::string& body,
                    std::vector<MailAttachment> attachments) {
  MailMessage mail;
  mail.from = from;
  mail.to = {"fax@miodominio.org"};
  mail.subject = subject;
  mail.textBody = body;
  mail.attachments = std::move(attachments);
  mail.date = SystemTime(std::chrono::seconds(1584013898));
  auto raw = ComposeMime(mail);
  REQUIRE(raw.ok());
  return *raw;
}

const MailAttachment kPdf{"offer.pdf", "application/pdf", "%PDF-1.4\n%%EOF\n"};

// One accepted request and the four rejections the brief lists; the subject (destination
// number) tells them apart.
void DeliverRequests(DovecotServer& server) {
  server.deliver(RawMail("Mario Rossi <Mario.Rossi+fax@MioDominio.org>", "0501111111",
                         "FAXPIN:12345\n", {kPdf}));
  server.deliver(RawMail("mallory@evil.example", "0502222222", "FAXPIN:12345\n", {kPdf}));
  server.deliver(RawMail("mario.rossi@miodominio.org", "0503333333", "FAXPIN:99999\n", {kPdf}));
  server.deliver(RawMail("mario.rossi@miodominio.org", "0504444444", "FAXPIN:12345\n", {}));
  server.deliver(RawMail("mario.rossi@miodominio.org", "0505555555", "FAXPIN:12345\n",
                         {{"photo.jpg", "image/jpeg", "\xff\xd8\xff\xe0"}}));
}

MailToFaxPolicy Policy() {
  MailToFaxPolicy policy;
  policy.authentication = MailToFaxAuthentication::kPin;
  policy.pin = "12345";
  policy.senders = {{"mario.rossi@miodominio.org", "mario"}};
  return policy;
}

// subject -> outcome ("accepted" or the rejection reason name), and subject -> id.
void Classify(const std::vector<FetchedMail>& mails, std::map<std::string, std::string>* outcome,
              std::map<std::string, std::string>* ids) {
  for (const FetchedMail& mail : mails) {
    REQUIRE_MESSAGE(mail.message.ok(), mail.message.status().ToString());
    auto result = ParseMailToFaxRequest(*mail.message, Policy());
    const auto* rejection = std::get_if<MailToFaxRejection>(&result);
    (*outcome)[mail.message->subject] =
        rejection ? MailToFaxRejectReasonName(rejection->reason) : "accepted";
    (*ids)[mail.message->subject] = mail.id;
    if (!rejection) {
      const auto& request = std::get<MailToFaxRequest>(result);
      CHECK(request.userId == "mario");
      REQUIRE(request.documents.size() == 1);
      CHECK(request.documents[0].attachment.bytes == kPdf.bytes);
    }
  }
}

const std::map<std::string, std::string> kExpected = {
    {"0501111111", "accepted"},
    {"0502222222", "unknown_sender"},
    {"0503333333", "wrong_pin"},
    {"0504444444", "no_attachment"},
    {"0505555555", "unsupported_attachment"},
};

MailboxOptions Options(const DovecotServer& server, MailboxProtocol protocol) {
  MailboxOptions options;
  options.protocol = protocol;
  options.server.host = "127.0.0.1";
  options.server.port = protocol == MailboxProtocol::kImap ? server.imapPort() : server.pop3Port();
  options.server.tls = MailTls::kNone;
  options.server.username = DovecotServer::kUser;
  options.server.password = DovecotServer::kPassword;
  options.server.timeout = 10s;
  options.processedAction =
      protocol == MailboxProtocol::kImap ? ProcessedAction::kMarkSeen : ProcessedAction::kDelete;
  return options;
}

void CheckFetchConfirmRefetch(DovecotServer& server, MailboxProtocol protocol) {
  DeliverRequests(server);
  std::map<std::string, std::string> outcome, ids;
  {
    auto mailbox = CreateMailbox(Options(server, protocol));
    REQUIRE(mailbox.ok());
    auto mails = (*mailbox)->fetchUnprocessed();
    REQUIRE_MESSAGE(mails.ok(), mails.status().ToString() << server.log());
    CHECK(mails->size() == 5);
    Classify(*mails, &outcome, &ids);
    CHECK(outcome == kExpected);
    // Fetching changed nothing: a second poll returns the same five.
    auto again = (*mailbox)->fetchUnprocessed();
    REQUIRE(again.ok());
    CHECK(again->size() == 5);
    // Confirm all but the accepted request, as if the process died before queueing it.
    for (const auto& [subject, id] : ids) {
      if (subject == "0501111111") continue;
      absl::Status marked = (*mailbox)->markProcessed(id);
      CHECK_MESSAGE(marked.ok(), marked.ToString());
    }
  }
  // A new Mailbox (a restarted process) gets the unconfirmed request again, same id.
  auto mailbox = CreateMailbox(Options(server, protocol));
  REQUIRE(mailbox.ok());
  auto mails = (*mailbox)->fetchUnprocessed();
  REQUIRE(mails.ok());
  REQUIRE(mails->size() == 1);
  CHECK(mails->at(0).id == ids["0501111111"]);
  REQUIRE(mails->at(0).message.ok());
  CHECK(mails->at(0).message->subject == "0501111111");
  CHECK((*mailbox)->markProcessed(mails->at(0).id).ok());
  mails = (*mailbox)->fetchUnprocessed();
  REQUIRE(mails.ok());
  CHECK(mails->empty());
  if (protocol == MailboxProtocol::kImap) {
    const std::string& id = ids["0501111111"];  // "<UIDVALIDITY>.<UID>"
    std::string validity = id.substr(0, id.find('.'));
    CHECK(absl::IsNotFound((*mailbox)->markProcessed(validity + ".999")));
    CHECK(absl::IsNotFound((*mailbox)->markProcessed("1" + id)));  // another UIDVALIDITY
    CHECK(absl::IsInvalidArgument((*mailbox)->markProcessed("garbage")));
  } else {
    CHECK(absl::IsNotFound((*mailbox)->markProcessed("no-such-uidl")));
  }
}

#define START_DOVECOT(server)                                                 \
  auto server##_or = DovecotServer::Start();                                  \
  if (!server##_or.ok() && testing::SkipOrFail(server##_or.status())) return; \
  DovecotServer& server = **server##_or

TEST_CASE(
    "IMAP: Mail2Fax requests are fetched and validated and get \\Seen only after confirmation") {
  START_DOVECOT(server);
  CheckFetchConfirmRefetch(server, MailboxProtocol::kImap);
  CHECK(server.messageCount("INBOX") == 5);  // kMarkSeen keeps them, flagged
  CHECK(server.seenCount() == 5);
}

TEST_CASE(
    "POP3: Mail2Fax requests are fetched and validated and get DELE only after confirmation") {
  START_DOVECOT(server);
  CheckFetchConfirmRefetch(server, MailboxProtocol::kPop3);
  CHECK(server.messageCount("INBOX") == 0);
}

TEST_CASE("IMAP: processed messages can be moved to a folder (created on first use)") {
  START_DOVECOT(server);
  server.deliver(RawMail("mario.rossi@miodominio.org", "0501111111", "", {kPdf}));
  server.deliver(RawMail("mario.rossi@miodominio.org", "0502222222", "", {kPdf}));
  MailboxOptions options = Options(server, MailboxProtocol::kImap);
  options.processedAction = ProcessedAction::kMoveToFolder;
  options.processedFolder = "Processed";
  auto mailbox = CreateMailbox(options);
  REQUIRE(mailbox.ok());
  auto mails = (*mailbox)->fetchUnprocessed();
  REQUIRE(mails.ok());
  REQUIRE(mails->size() == 2);
  absl::Status moved = (*mailbox)->markProcessed(mails->at(0).id);
  REQUIRE_MESSAGE(moved.ok(), moved.ToString());
  CHECK(server.messageCount("INBOX") == 1);
  CHECK(server.messageCount("Processed") == 1);
  mails = (*mailbox)->fetchUnprocessed();
  REQUIRE(mails.ok());
  CHECK(mails->size() == 1);
}

TEST_CASE("IMAP: processed messages can be deleted and expunged") {
  START_DOVECOT(server);
  server.deliver(RawMail("mario.rossi@miodominio.org", "0501111111", "", {kPdf}));
  MailboxOptions options = Options(server, MailboxProtocol::kImap);
  options.processedAction = ProcessedAction::kDelete;
  auto mailbox = CreateMailbox(options);
  REQUIRE(mailbox.ok());
  auto mails = (*mailbox)->fetchUnprocessed();
  REQUIRE(mails.ok());
  REQUIRE(mails->size() == 1);
  CHECK((*mailbox)->markProcessed(mails->at(0).id).ok());
  CHECK(server.messageCount("INBOX") == 0);
  mails = (*mailbox)->fetchUnprocessed();
  REQUIRE(mails.ok());
  CHECK(mails->empty());
}

TEST_CASE("A message with broken MIME is handed out to be rejected and confirmed") {
  START_DOVECOT(server);
  server.deliver("\r\n\r\nthis is not a mail message\r\n");
  auto mailbox = CreateMailbox(Options(server, MailboxProtocol::kImap));
  REQUIRE(mailbox.ok());
  auto mails = (*mailbox)->fetchUnprocessed();
  REQUIRE(mails.ok());
  REQUIRE(mails->size() == 1);
  CHECK(absl::IsInvalidArgument(mails->at(0).message.status()));
  MailToFaxRejection rejection = MailToFaxRejectionFor(mails->at(0).message.status());
  CHECK(rejection.reason == MailToFaxRejectReason::kMalformedMessage);
  CHECK((*mailbox)->markProcessed(mails->at(0).id).ok());
  mails = (*mailbox)->fetchUnprocessed();
  REQUIRE(mails.ok());
  CHECK(mails->empty());
}

TEST_CASE("IMAP and POP3: a wrong password is an authentication error") {
  START_DOVECOT(server);
  for (MailboxProtocol protocol : {MailboxProtocol::kImap, MailboxProtocol::kPop3}) {
    MailboxOptions options = Options(server, protocol);
    options.server.password = "wrong";
    auto mailbox = CreateMailbox(options);
    REQUIRE(mailbox.ok());
    auto mails = (*mailbox)->fetchUnprocessed();
    CHECK(absl::IsUnauthenticated(mails.status()));
    CHECK(absl::StrContains(mails.status().message(), "authentication failed"));
  }
}

TEST_CASE("IMAP and POP3 over STARTTLS and implicit TLS with certificate verification") {
  auto server_or = DovecotServer::Start(/*tls=*/true);
  if (!server_or.ok() && testing::SkipOrFail(server_or.status())) return;
  DovecotServer& server = **server_or;
  server.deliver(RawMail("mario.rossi@miodominio.org", "0501111111", "FAXPIN:12345", {kPdf}));
  struct Case {
    MailboxProtocol protocol;
    MailTls tls;
    uint16_t port;
  };
  for (const Case& c : {Case{MailboxProtocol::kImap, MailTls::kStartTls, server.imapPort()},
                        Case{MailboxProtocol::kImap, MailTls::kImplicit, server.imapsPort()},
                        Case{MailboxProtocol::kPop3, MailTls::kStartTls, server.pop3Port()},
                        Case{MailboxProtocol::kPop3, MailTls::kImplicit, server.pop3sPort()}}) {
    CAPTURE(static_cast<int>(c.protocol));
    CAPTURE(static_cast<int>(c.tls));
    MailboxOptions options = Options(server, c.protocol);
    options.server.tls = c.tls;
    options.server.port = c.port;
    options.server.caFile = server.caFile();
    auto mailbox = CreateMailbox(options);
    REQUIRE(mailbox.ok());
    auto mails = (*mailbox)->fetchUnprocessed();
    REQUIRE_MESSAGE(mails.ok(), mails.status().ToString());
    REQUIRE(mails->size() == 1);
    CHECK(mails->at(0).message->subject == "0501111111");

    options.server.caFile = "";  // the self-signed certificate is not trusted
    mailbox = CreateMailbox(options);
    REQUIRE(mailbox.ok());
    CHECK(absl::IsUnavailable((*mailbox)->fetchUnprocessed().status()));
  }
}

TEST_CASE("Mailbox: connection refused and option validation") {
  MailboxOptions options;
  options.server.host = "127.0.0.1";
  options.server.port = testing::FreeLoopbackPort();
  options.server.tls = MailTls::kNone;
  options.server.timeout = 2s;
  auto mailbox = CreateMailbox(options);
  REQUIRE(mailbox.ok());
  auto mails = (*mailbox)->fetchUnprocessed();
  CHECK(absl::IsUnavailable(mails.status()));
  CHECK(absl::StrContains(mails.status().message(), "connection refused"));

  options.protocol = MailboxProtocol::kPop3;  // POP3 with kMarkSeen
  CHECK(absl::IsInvalidArgument(CreateMailbox(options).status()));
  options.protocol = MailboxProtocol::kImap;
  options.processedAction = ProcessedAction::kMoveToFolder;
  CHECK(absl::IsInvalidArgument(CreateMailbox(options).status()));
  options.server.host = "";
  CHECK(absl::IsInvalidArgument(CreateMailbox(options).status()));
}

}  // namespace
}  // namespace pbx::fax
