// SMTP submission against a real server (python3-aiosmtpd on 127.0.0.1, free port): the
// Fax2Mail notification arrives with the seed's subject, body and attachment name byte for
// byte; authentication, STARTTLS, refused connections and timeouts give clear errors.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include "absl/strings/match.h"
#include "absl/time/civil_time.h"
#include "pbx/fax/mail_formats.h"
#include "pbx/fax/mail_mime.h"
#include "pbx/fax/mail_transport.h"
#include "tests/unit/fax/mail_test_servers.h"

namespace pbx::fax {
namespace {

using namespace std::chrono_literals;
using testing::SmtpSink;

SmtpOptions Options(uint16_t port) {
  SmtpOptions options;
  options.server.host = "127.0.0.1";
  options.server.port = port;
  options.server.tls = MailTls::kNone;
  options.server.timeout = 5s;
  return options;
}

ReceivedFaxInfo SeedFax() {
  ReceivedFaxInfo fax;
  fax.serialNumber = "KPBX40299999";
  fax.callingNumber = "0501234567";
  fax.reachedNumber = "0509655637";
  fax.receivedAt = absl::ToChronoTime(
      absl::FromCivil(absl::CivilSecond(2020, 3, 12, 11, 51, 38), absl::UTCTimeZone()));
  fax.transmissionTime = 34s;
  fax.pages = 1;
  fax.faxId = "211";
  return fax;
}

TEST_CASE("Fax2Mail over SMTP: the received mail matches the seed format byte for byte") {
  auto sink = SmtpSink::Start();
  if (!sink.ok() && testing::SkipOrFail(sink.status())) return;
  SimulatedTimeSource time;
  auto sender = CreateSmtpSender(Options((*sink)->port()), time);
  REQUIRE(sender.ok());

  std::string pdf = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n";
  MailMessage mail =
      ComposeFaxReceivedMail(SeedFax(), "Kalliope PBX <pbx@example.com>",
                             {"alice@example.com", "bob@example.com"}, pdf, absl::UTCTimeZone());
  absl::Status sent = (*sender)->send(mail);
  REQUIRE_MESSAGE(sent.ok(), sent.ToString());

  std::vector<std::string> received = (*sink)->waitForMessages(1);
  REQUIRE(received.size() == 1);
  const std::string& raw = received[0];
  // Seed S000:168 / S000:189 / S000:181-185, as they appear on the wire.
  CHECK(absl::StrContains(
      raw, "\r\nSubject: [KPBX40299999] FAX successfully received from 00501234567\r\n"));
  CHECK(absl::StrContains(raw, "Date: Thu, 01 Jan 2026 00:00:00 +0000\r\n"));  // TimeSource
  CHECK(absl::StrContains(raw, "\r\nMessage-Id: <"));

  auto parsed = ParseMime(raw);
  REQUIRE(parsed.ok());
  CHECK(parsed->subject == "[KPBX40299999] FAX successfully received from 00501234567");
  CHECK(parsed->textBody ==
        "FAX received from 0501234567\n"
        "\n"
        "Date and time: 12/03/2020 11:51:38\n"
        "Transmission time : 34 seconds\n"
        "Number of pages: 1\n");
  REQUIRE(parsed->attachments.size() == 1);
  CHECK(parsed->attachments[0].filename == "F00501234567_T0509655637_2020-03-12_11_51_38_211.pdf");
  CHECK(parsed->attachments[0].contentType == "application/pdf");
  CHECK(parsed->attachments[0].bytes == pdf);
  CHECK((*sink)->envelope(0) == "pbx@example.com\nalice@example.com\nbob@example.com\n");
}

TEST_CASE("Transmission report over SMTP carries the page-one thumbnail") {
  auto sink = SmtpSink::Start();
  if (!sink.ok() && testing::SkipOrFail(sink.status())) return;
  auto sender = CreateSmtpSender(Options((*sink)->port()));
  REQUIRE(sender.ok());
  FaxTransmissionInfo fax;
  fax.serialNumber = "KPBX40299999";
  fax.faxId = "212";
  fax.destination = "0509655637";
  fax.pagesSent = fax.pagesTotal = 1;
  fax.attempts = 2;
  std::string png = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
  png.append(std::string(100, '\0'));
  REQUIRE(
      (*sender)
          ->send(ComposeTransmissionReportMail(fax, "pbx@example.com", {"mario@example.com"}, png))
          .ok());
  std::vector<std::string> received = (*sink)->waitForMessages(1);
  REQUIRE(received.size() == 1);
  auto parsed = ParseMime(received[0]);
  REQUIRE(parsed.ok());
  CHECK(parsed->subject == "[KPBX40299999] FAX to 0509655637 sent successfully");
  CHECK(absl::StrContains(parsed->textBody, "Attempts: 2\n"));
  REQUIRE(parsed->attachments.size() == 1);
  CHECK(parsed->attachments[0].contentType == "image/png");
  CHECK(parsed->attachments[0].bytes == png);
}

TEST_CASE("SMTP AUTH: right credentials are accepted and wrong ones are a clear error") {
  testing::SmtpSinkOptions sink_options;
  sink_options.user = "pbx";
  sink_options.password = "s3cret";
  auto sink = SmtpSink::Start(sink_options);
  if (!sink.ok() && testing::SkipOrFail(sink.status())) return;
  MailMessage mail;
  mail.from = "pbx@example.com";
  mail.to = {"alice@example.com"};
  mail.subject = "test";
  mail.textBody = "hello\n";

  SmtpOptions options = Options((*sink)->port());
  options.server.username = "pbx";
  options.server.password = "wrong";
  auto sender = CreateSmtpSender(options);
  REQUIRE(sender.ok());
  absl::Status denied = (*sender)->send(mail);
  CHECK(absl::IsUnauthenticated(denied));
  CHECK(absl::StrContains(denied.message(), "authentication failed for user \"pbx\""));
  CHECK(absl::StrContains(denied.message(), "127.0.0.1"));

  options.server.password = "s3cret";
  sender = CreateSmtpSender(options);
  REQUIRE(sender.ok());
  absl::Status sent = (*sender)->send(mail);
  CHECK_MESSAGE(sent.ok(), sent.ToString());
  CHECK((*sink)->waitForMessages(1).size() == 1);
}

TEST_CASE("STARTTLS required but not offered by the server is refused") {
  auto sink = SmtpSink::Start();
  if (!sink.ok() && testing::SkipOrFail(sink.status())) return;
  SmtpOptions options = Options((*sink)->port());
  options.server.tls = MailTls::kStartTls;
  auto sender = CreateSmtpSender(options);
  REQUIRE(sender.ok());
  MailMessage mail;
  mail.from = "pbx@example.com";
  mail.to = {"alice@example.com"};
  absl::Status status = (*sender)->send(mail);
  CHECK(absl::IsFailedPrecondition(status));
  CHECK(absl::StrContains(status.message(), "STARTTLS"));
  CHECK((*sink)->waitForMessages(0, 0ms).empty());  // nothing was sent in clear text
}

MailMessage Hello() {
  MailMessage mail;
  mail.from = "pbx@example.com";
  mail.to = {"alice@example.com"};
  mail.subject = "over TLS";
  mail.textBody = "hello\n";
  return mail;
}

TEST_CASE("SMTP over STARTTLS and over implicit TLS with certificate verification") {
  for (const char* mode : {"starttls", "implicit"}) {
    CAPTURE(mode);
    testing::SmtpSinkOptions sink_options;
    sink_options.tls_mode = mode;
    auto sink = SmtpSink::Start(sink_options);
    if (!sink.ok() && testing::SkipOrFail(sink.status())) return;
    SmtpOptions options = Options((*sink)->port());
    options.server.tls = std::string(mode) == "starttls" ? MailTls::kStartTls : MailTls::kImplicit;
    options.server.caFile = (*sink)->caFile();
    auto sender = CreateSmtpSender(options);
    REQUIRE(sender.ok());
    absl::Status sent = (*sender)->send(Hello());
    CHECK_MESSAGE(sent.ok(), sent.ToString());
    CHECK((*sink)->waitForMessages(1).size() == 1);

    // The self-signed certificate is refused without its CA file.
    options.server.caFile = "";
    sender = CreateSmtpSender(options);
    REQUIRE(sender.ok());
    absl::Status refused = (*sender)->send(Hello());
    CHECK(absl::IsUnavailable(refused));
    CHECK(absl::StrContains(refused.message(), "TLS"));
  }
}

TEST_CASE("SMTP connection refused and timeout are reported as errors") {
  MailMessage mail;
  mail.from = "pbx@example.com";
  mail.to = {"alice@example.com"};

  auto refused = CreateSmtpSender(Options(testing::FreeLoopbackPort()));
  REQUIRE(refused.ok());
  absl::Status status = (*refused)->send(mail);
  CHECK(absl::IsUnavailable(status));
  CHECK(absl::StrContains(status.message(), "connection refused"));

  // A server that accepts the TCP connection but never greets.
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  REQUIRE(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  REQUIRE(listen(listener, 4) == 0);
  REQUIRE(getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  SmtpOptions options = Options(ntohs(addr.sin_port));
  options.server.timeout = 500ms;
  auto silent = CreateSmtpSender(options);
  REQUIRE(silent.ok());
  status = (*silent)->send(mail);
  close(listener);
  CHECK(absl::IsDeadlineExceeded(status));
  CHECK(absl::StrContains(status.message(), "timed out"));
}

TEST_CASE("CreateSmtpSender validates its options") {
  SmtpOptions options;
  CHECK(absl::IsInvalidArgument(CreateSmtpSender(options).status()));
  options.server.host = "127.0.0.1";
  options.server.timeout = 0ms;
  CHECK(absl::IsInvalidArgument(CreateSmtpSender(options).status()));
}

}  // namespace
}  // namespace pbx::fax
