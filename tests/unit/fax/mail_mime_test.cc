// MIME composition and parsing (GMime) without a server.
#include "pbx/fax/mail_mime.h"

#include <doctest/doctest.h>

#include <string>

namespace pbx::fax {
namespace {

MailMessage Sample() {
  MailMessage m;
  m.from = "PBX <pbx@example.com>";
  m.to = {"alice@example.com", "Bob <bob@example.com>"};
  m.subject = "[KPBX40299999] FAX successfully received from 00501234567";
  m.textBody = "FAX received from 0501234567\n\nNumber of pages: 1\n";
  m.date = SystemTime(std::chrono::seconds(1584013898));  // 2020-03-12 11:51:38 UTC
  std::string pdf = "%PDF-1.4\n";
  for (int i = 0; i < 256; ++i) pdf += static_cast<char>(i);  // binary-safe
  m.attachments.push_back(
      {"F00501234567_T0509655637_2020-03-12_11_51_38_211.pdf", "application/pdf", pdf});
  return m;
}

TEST_CASE("ComposeMime writes multipart/mixed with a base64 attachment and Date and Message-ID") {
  auto wire = ComposeMime(Sample());
  REQUIRE(wire.ok());
  const std::string& text = *wire;
  CHECK(text.find("Subject: [KPBX40299999] FAX successfully received from 00501234567\r\n") !=
        std::string::npos);
  CHECK(text.find("Content-Type: multipart/mixed") != std::string::npos);
  CHECK(text.find("Content-Transfer-Encoding: base64") != std::string::npos);
  CHECK(text.find("Content-Disposition: attachment") != std::string::npos);
  CHECK(text.find("Date: Thu, 12 Mar 2020 11:51:38 +0000\r\n") != std::string::npos);
  CHECK(text.find("Message-Id: <") != std::string::npos);
  CHECK(text.find("@example.com>\r\n") != std::string::npos);
  CHECK(text.find("MIME-Version: 1.0\r\n") != std::string::npos);
  // Every line ends in CRLF, as SMTP requires.
  for (size_t i = text.find('\n'); i != std::string::npos; i = text.find('\n', i + 1)) {
    REQUIRE(i > 0);
    CHECK(text[i - 1] == '\r');
  }
}

TEST_CASE("ComposeMime then ParseMime round-trips every field") {
  MailMessage sample = Sample();
  auto wire = ComposeMime(sample);
  REQUIRE(wire.ok());
  auto back = ParseMime(*wire);
  REQUIRE(back.ok());
  CHECK(MailAddressOf(back->from) == "pbx@example.com");
  REQUIRE(back->to.size() == 2);
  CHECK(MailAddressOf(back->to[1]) == "bob@example.com");
  CHECK(back->subject == sample.subject);
  CHECK(back->textBody == sample.textBody);
  REQUIRE(back->date.has_value());
  CHECK(*back->date == *sample.date);
  CHECK(!back->messageId.empty());
  REQUIRE(back->attachments.size() == 1);
  CHECK(back->attachments[0].filename == sample.attachments[0].filename);
  CHECK(back->attachments[0].contentType == "application/pdf");
  CHECK(back->attachments[0].bytes == sample.attachments[0].bytes);
}

TEST_CASE("A non-ASCII subject is RFC 2047-encoded and decoded back") {
  MailMessage m = Sample();
  m.subject = "FAX ricevuto da 050 – già inviato";
  m.textBody = "Città: Pisa\n";
  auto wire = ComposeMime(m);
  REQUIRE(wire.ok());
  CHECK(wire->find("=?UTF-8?B?") != std::string::npos);
  CHECK(wire->find("già") == std::string::npos);  // no raw 8-bit in the headers or body
  auto back = ParseMime(*wire);
  REQUIRE(back.ok());
  CHECK(back->subject == m.subject);
  CHECK(back->textBody == m.textBody);
}

TEST_CASE("Without attachments the message is a single text/plain part") {
  MailMessage m = Sample();
  m.attachments.clear();
  auto wire = ComposeMime(m);
  REQUIRE(wire.ok());
  CHECK(wire->find("multipart") == std::string::npos);
  CHECK(wire->find("Content-Type: text/plain") != std::string::npos);
}

TEST_CASE("Header injection through the subject is neutralised") {
  MailMessage m = Sample();
  m.subject = "0501234567\r\nBcc: victim@example.com";
  auto wire = ComposeMime(m);
  REQUIRE(wire.ok());
  CHECK(wire->find("\r\nBcc:") == std::string::npos);
}

TEST_CASE("ComposeMime rejects a message without From or To or Date") {
  MailMessage m = Sample();
  m.from = "";
  CHECK(absl::IsInvalidArgument(ComposeMime(m).status()));
  m = Sample();
  m.to.clear();
  CHECK(absl::IsInvalidArgument(ComposeMime(m).status()));
  m = Sample();
  m.date.reset();
  CHECK(absl::IsInvalidArgument(ComposeMime(m).status()));
}

TEST_CASE("ParseMime reads what mail clients send") {
  const char* raw =
      "From: =?UTF-8?Q?Mario_Rossi?= <Mario.Rossi+fax@miodominio.org>\r\n"
      "To: fax@miodominio.org\r\n"
      "Subject: 0501234567; 0509655637@fax1\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=\"XX\"\r\n"
      "\r\n"
      "--XX\r\n"
      "Content-Type: multipart/alternative; boundary=\"YY\"\r\n"
      "\r\n"
      "--YY\r\n"
      "Content-Type: text/plain; charset=iso-8859-1\r\n"
      "Content-Transfer-Encoding: quoted-printable\r\n"
      "\r\n"
      "FAXPIN:12345 citt=E0\r\n"
      "--YY\r\n"
      "Content-Type: text/html\r\n"
      "\r\n"
      "<p>FAXPIN:12345</p>\r\n"
      "--YY--\r\n"
      "--XX\r\n"
      "Content-Type: application/octet-stream; name=\"offer.pdf\"\r\n"
      "Content-Transfer-Encoding: base64\r\n"
      "\r\n"
      "JVBERi0xLjQK\r\n"
      "--XX\r\n"
      "Content-Type: application/pdf\r\n"
      "Content-Disposition: attachment; filename*=UTF-8''off%C3%A8rta.pdf\r\n"
      "\r\n"
      "%PDF-1.5\r\n"
      "--XX--\r\n";
  auto mail = ParseMime(raw);
  REQUIRE(mail.ok());
  CHECK(mail->from == "Mario Rossi <Mario.Rossi+fax@miodominio.org>");
  CHECK(mail->subject == "0501234567; 0509655637@fax1");
  CHECK(mail->textBody == "FAXPIN:12345 città");
  REQUIRE(mail->attachments.size() == 2);
  CHECK(mail->attachments[0].filename == "offer.pdf");
  CHECK(mail->attachments[0].bytes == "%PDF-1.4\n");
  CHECK(mail->attachments[1].filename == "offèrta.pdf");
  CHECK(mail->attachments[1].contentType == "application/pdf");
}

TEST_CASE("ParseMime returns errors and never crashes on malformed input") {
  CHECK(absl::IsInvalidArgument(ParseMime("").status()));
  CHECK(absl::IsInvalidArgument(ParseMime("\r\n\r\n").status()));
  // Garbage and truncated messages either fail cleanly or parse to something harmless.
  const char* inputs[] = {
      "\x00\x01\x02 not a mail",
      "From: a@b\r\nContent-Type: multipart/mixed; boundary=\"Z\"\r\n\r\n--Z\r\nContent-Type: "
      "application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!!not base64",
      "Subject: =?UTF-8?B?broken\r\nContent-Type: text/plain; charset=nonexistent\r\n\r\n\xff\xfe",
      "Content-Type: multipart/mixed\r\n\r\nno boundary at all",
  };
  for (const char* input : inputs) {
    auto parsed = ParseMime(input);
    if (!parsed.ok()) CHECK(absl::IsInvalidArgument(parsed.status()));
  }
  std::string deep = "Content-Type: multipart/mixed; boundary=b0\r\n\r\n";
  for (int i = 1; i < 200; ++i) {
    deep += "--b" + std::to_string(i - 1) + "\r\nContent-Type: multipart/mixed; boundary=b" +
            std::to_string(i) + "\r\n\r\n";
  }
  CHECK_NOTHROW((void)ParseMime(deep));
}

}  // namespace
}  // namespace pbx::fax
