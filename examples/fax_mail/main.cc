// fax_mail_example: the fax mail API in one small program.
//
//   fax_mail_example notify HOST PORT TO PDF_FILE [options]
//       mails a Fax2Mail notification for a received fax (the seed's format) with PDF_FILE
//   fax_mail_example poll imap|pop3 HOST PORT SENDER_ADDRESS [--pin=PIN] [--confirm] [options]
//       fetches Mail2Fax requests, prints what each one asks for or why it is rejected, and
//       with --confirm marks them processed
//   options: --tls=none|starttls|implicit (default none)  --user=U --password=P
//
// See docs/fax-mail.md for a walk-through against a local test server.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "pbx/fax/mail_formats.h"
#include "pbx/fax/mail_to_fax_request.h"
#include "pbx/fax/mail_transport.h"

namespace {

using namespace pbx::fax;

struct Flags {
  std::vector<std::string> args;
  MailServer server;
  std::string pin;
  bool confirm = false;
};

Flags Parse(int argc, char** argv) {
  Flags flags;
  flags.server.tls = MailTls::kNone;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char* name) { return arg.substr(std::string(name).size()); };
    if (arg.rfind("--tls=", 0) == 0) {
      std::string tls = value("--tls=");
      flags.server.tls = tls == "starttls"   ? MailTls::kStartTls
                         : tls == "implicit" ? MailTls::kImplicit
                                             : MailTls::kNone;
    } else if (arg.rfind("--user=", 0) == 0) {
      flags.server.username = value("--user=");
    } else if (arg.rfind("--password=", 0) == 0) {
      flags.server.password = value("--password=");
    } else if (arg.rfind("--pin=", 0) == 0) {
      flags.pin = value("--pin=");
    } else if (arg == "--confirm") {
      flags.confirm = true;
    } else {
      flags.args.push_back(arg);
    }
  }
  return flags;
}

int Notify(Flags& flags) {
  flags.server.host = flags.args[1];
  flags.server.port = static_cast<uint16_t>(std::stoi(flags.args[2]));
  std::ifstream file(flags.args[4], std::ios::binary);
  std::stringstream pdf;
  pdf << file.rdbuf();

  ReceivedFaxInfo fax;
  fax.serialNumber = "KPBX40299999";
  fax.callingNumber = "0501234567";
  fax.reachedNumber = "0509655637";
  fax.receivedAt = pbx::RealTime().systemTime();
  fax.transmissionTime = std::chrono::seconds(34);
  fax.pages = 1;
  fax.faxId = "211";
  MailMessage mail =
      ComposeFaxReceivedMail(fax, "PBX <pbx@example.com>", {flags.args[3]}, pdf.str());

  SmtpOptions smtp;
  smtp.server = flags.server;
  auto sender = CreateSmtpSender(smtp);
  absl::Status status = sender.ok() ? (*sender)->send(mail) : sender.status();
  std::printf("%s: %s\n", mail.subject.c_str(), status.ToString().c_str());
  return status.ok() ? 0 : 1;
}

int Poll(Flags& flags) {
  MailboxOptions options;
  bool pop3 = flags.args[1] == "pop3";
  options.protocol = pop3 ? MailboxProtocol::kPop3 : MailboxProtocol::kImap;
  options.processedAction = pop3 ? ProcessedAction::kDelete : ProcessedAction::kMarkSeen;
  options.server = flags.server;
  options.server.host = flags.args[2];
  options.server.port = static_cast<uint16_t>(std::stoi(flags.args[3]));

  MailToFaxPolicy policy;
  policy.senders = {{flags.args[4], "user"}};
  if (!flags.pin.empty()) {
    policy.authentication = MailToFaxAuthentication::kPin;
    policy.pin = flags.pin;
  }

  auto mailbox = CreateMailbox(options);
  if (!mailbox.ok()) return std::printf("%s\n", mailbox.status().ToString().c_str()), 1;
  auto mails = (*mailbox)->fetchUnprocessed();
  if (!mails.ok()) return std::printf("%s\n", mails.status().ToString().c_str()), 1;
  for (const FetchedMail& mail : *mails) {
    std::variant<MailToFaxRequest, MailToFaxRejection> result =
        MailToFaxRejectionFor(mail.message.status());
    if (mail.message.ok()) result = ParseMailToFaxRequest(*mail.message, policy);
    if (const auto* rejection = std::get_if<MailToFaxRejection>(&result)) {
      std::printf("%s: rejected (%s): %s\n", mail.id.c_str(),
                  MailToFaxRejectReasonName(rejection->reason), rejection->message.c_str());
    } else {
      const auto& request = std::get<MailToFaxRequest>(result);
      for (const FaxDestination& destination : request.destinations) {
        std::printf("%s: fax %zu document(s) to %s\n", mail.id.c_str(), request.documents.size(),
                    destination.number.c_str());
      }
    }
    if (flags.confirm) {
      absl::Status marked = (*mailbox)->markProcessed(mail.id);
      if (!marked.ok()) std::printf("%s: %s\n", mail.id.c_str(), marked.ToString().c_str());
    }
  }
  std::printf("%zu message(s)\n", mails->size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags = Parse(argc, argv);
  if (flags.args.size() == 5 && flags.args[0] == "notify") return Notify(flags);
  if (flags.args.size() == 5 && flags.args[0] == "poll") return Poll(flags);
  std::fprintf(stderr,
               "usage: %s notify HOST PORT TO PDF_FILE [options]\n"
               "       %s poll imap|pop3 HOST PORT SENDER_ADDRESS [--pin=PIN] [--confirm] "
               "[options]\n"
               "options: --tls=none|starttls|implicit --user=U --password=P\n",
               argv[0], argv[0]);
  return 2;
}
