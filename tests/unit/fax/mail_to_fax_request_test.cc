// Mail2Fax request rules against the seed text (S000:140-161; S004:1083).
#include "pbx/fax/mail_to_fax_request.h"

#include <doctest/doctest.h>

namespace pbx::fax {
namespace {

MailToFaxPolicy Policy(MailToFaxAuthentication auth = MailToFaxAuthentication::kNone) {
  MailToFaxPolicy policy;
  policy.authentication = auth;
  policy.pin = "12345";
  policy.senders = {{"mario.rossi@miodominio.org", "mario"}, {"anna@example.com", "anna"}};
  policy.instances = {"fax1", "fax2"};
  return policy;
}

MailMessage Request(std::string subject = "0501234567") {
  MailMessage mail;
  mail.from = "Mario Rossi <mario.rossi@miodominio.org>";
  mail.to = {"fax@miodominio.org"};
  mail.subject = std::move(subject);
  mail.attachments.push_back({"offer.pdf", "application/pdf", "%PDF-1.4"});
  return mail;
}

MailToFaxRequest Accepted(const MailMessage& mail, const MailToFaxPolicy& policy) {
  auto result = ParseMailToFaxRequest(mail, policy);
  if (auto* rejection = std::get_if<MailToFaxRejection>(&result)) {
    FAIL("rejected: " << MailToFaxRejectReasonName(rejection->reason) << ": "
                      << rejection->message);
  }
  return std::get<MailToFaxRequest>(result);
}

MailToFaxRejection Rejected(const MailMessage& mail, const MailToFaxPolicy& policy) {
  auto result = ParseMailToFaxRequest(mail, policy);
  REQUIRE(std::holds_alternative<MailToFaxRejection>(result));
  return std::get<MailToFaxRejection>(result);
}

TEST_CASE("SUBJECT: the telephone number where to send the fax") {
  MailToFaxRequest request = Accepted(Request("0501234567"), Policy());
  CHECK(request.userId == "mario");
  CHECK(request.senderAddress == "mario.rossi@miodominio.org");
  REQUIRE(request.destinations.size() == 1);
  CHECK(request.destinations[0].number == "0501234567");
  CHECK(request.destinations[0].instance.empty());
  REQUIRE(request.documents.size() == 1);
  CHECK(request.documents[0].format == MailDocumentFormat::kPdf);
  CHECK(request.documents[0].attachment.filename == "offer.pdf");
}

TEST_CASE("SUBJECT: PhoneNumber@istance names the fax instance") {
  MailToFaxRequest request = Accepted(Request(" 0501234567@fax2 "), Policy());
  REQUIRE(request.destinations.size() == 1);
  CHECK(request.destinations[0].number == "0501234567");
  CHECK(request.destinations[0].instance == "fax2");
  MailToFaxRejection rejection = Rejected(Request("0501234567@fax9"), Policy());
  CHECK(rejection.reason == MailToFaxRejectReason::kUnknownInstance);
  CHECK(rejection.message.find("fax9") != std::string::npos);
}

TEST_CASE("SUBJECT: several numbers separated by comma or semicolon") {
  MailToFaxRequest request =
      Accepted(Request("0501234567, +39 (050) 965-5637;0212345678@fax1;"), Policy());
  REQUIRE(request.destinations.size() == 3);
  CHECK(request.destinations[0].number == "0501234567");
  CHECK(request.destinations[1].number == "+390509655637");
  CHECK(request.destinations[2].number == "0212345678");
  CHECK(request.destinations[2].instance == "fax1");
}

TEST_CASE("SUBJECT: rejections") {
  CHECK(Rejected(Request(""), Policy()).reason == MailToFaxRejectReason::kNoDestination);
  CHECK(Rejected(Request(" ; , "), Policy()).reason == MailToFaxRejectReason::kNoDestination);
  MailToFaxRejection bad = Rejected(Request("Re: my fax"), Policy());
  CHECK(bad.reason == MailToFaxRejectReason::kInvalidDestination);
  CHECK(bad.message.find("\"Re: my fax\"") != std::string::npos);
  CHECK(Rejected(Request("05+01"), Policy()).reason == MailToFaxRejectReason::kInvalidDestination);
  MailToFaxPolicy two = Policy();
  two.maxDestinations = 2;
  CHECK(Rejected(Request("1,2,3"), two).reason == MailToFaxRejectReason::kTooManyDestinations);
}

TEST_CASE("Sender must be an enabled user: case-insensitive with +subaddress accepted") {
  // S004:1083 (fw 4.11.11 K-5095): "Matching of sender and recipient email addresses is now
  // case insensitive, and is correctly handled even in case of sub-addressing (e.g.
  // mario.rossi+estensione@miodominio.org)".
  MailMessage mail = Request();
  mail.from = "mario.rossi+estensione@miodominio.org";
  CHECK(Accepted(mail, Policy()).userId == "mario");
  mail.from = "\"Rossi, Mario\" <Mario.Rossi@MioDominio.ORG>";
  CHECK(Accepted(mail, Policy()).userId == "mario");
  mail.from = "ANNA@example.com";
  CHECK(Accepted(mail, Policy()).userId == "anna");

  mail.from = "mallory@miodominio.org";
  MailToFaxRejection unknown = Rejected(mail, Policy());
  CHECK(unknown.reason == MailToFaxRejectReason::kUnknownSender);
  CHECK(unknown.message.find("mallory@miodominio.org") != std::string::npos);
  mail.from = "mario.rossi@miodominio.org.evil.com";
  CHECK(Rejected(mail, Policy()).reason == MailToFaxRejectReason::kUnknownSender);
  mail.from = "";
  CHECK(Rejected(mail, Policy()).reason == MailToFaxRejectReason::kMissingSender);
  mail.from = "not an address";
  CHECK(Rejected(mail, Policy()).reason == MailToFaxRejectReason::kMissingSender);
}

TEST_CASE("PIN authentication: the body must contain only FAXPIN:12345") {
  // S000:158 "The body of the mail (in text format only) must contain only the string
  // "FAXPIN:12345" (where 12345 is the PIN assigned in this example)."
  MailToFaxPolicy policy = Policy(MailToFaxAuthentication::kPin);
  MailMessage mail = Request();
  mail.textBody = "FAXPIN:12345";
  CHECK(Accepted(mail, policy).destinations.size() == 1);
  mail.textBody = "FAXPIN:12345\n";  // the newline a mail client adds
  CHECK(Accepted(mail, policy).destinations.size() == 1);

  mail.textBody = "FAXPIN:54321\n";
  MailToFaxRejection wrong = Rejected(mail, policy);
  CHECK(wrong.reason == MailToFaxRejectReason::kWrongPin);
  CHECK(wrong.message.find("12345") == std::string::npos);  // never tell the PIN
  mail.textBody = "FAXPIN:12345\n-- \nMario";
  CHECK(Rejected(mail, policy).reason == MailToFaxRejectReason::kWrongPin);
  mail.textBody = "";
  CHECK(Rejected(mail, policy).reason == MailToFaxRejectReason::kMissingPin);
  mail.textBody = "Please fax this. FAXPIN:12345";
  CHECK(Rejected(mail, policy).reason == MailToFaxRejectReason::kMissingPin);

  // With authentication None the body is not looked at.
  mail.textBody = "anything";
  CHECK(Accepted(mail, Policy()).destinations.size() == 1);
}

TEST_CASE("Attachments: pdf doc docx odt (and TIFF) are supported") {
  // S000:159 "The fax file (supported formats are pdf, doc, docx, odt) must be attached."
  MailMessage mail = Request();
  mail.attachments = {
      {"a.PDF", "application/octet-stream", "x"},
      {"b.doc", "application/octet-stream", "x"},
      {"c.docx", "application/octet-stream", "x"},
      {"d.odt", "application/octet-stream", "x"},
      {"e.tif", "application/octet-stream", "x"},
      {"scan", "image/tiff", "x"},
      {"noname", "application/octet-stream", "%PDF-1.7 ..."},
  };
  MailToFaxRequest request = Accepted(mail, Policy());
  REQUIRE(request.documents.size() == 7);
  CHECK(request.documents[0].format == MailDocumentFormat::kPdf);
  CHECK(request.documents[1].format == MailDocumentFormat::kDoc);
  CHECK(request.documents[2].format == MailDocumentFormat::kDocx);
  CHECK(request.documents[3].format == MailDocumentFormat::kOdt);
  CHECK(request.documents[4].format == MailDocumentFormat::kTiff);
  CHECK(request.documents[5].format == MailDocumentFormat::kTiff);
  CHECK(request.documents[6].format == MailDocumentFormat::kPdf);
}

TEST_CASE("Attachments: none or an unsupported type is rejected with its name") {
  MailMessage mail = Request();
  mail.attachments.clear();
  CHECK(Rejected(mail, Policy()).reason == MailToFaxRejectReason::kNoAttachment);
  mail.attachments = {{"offer.pdf", "application/pdf", "%PDF"}, {"photo.jpg", "image/jpeg", "x"}};
  MailToFaxRejection rejection = Rejected(mail, Policy());
  CHECK(rejection.reason == MailToFaxRejectReason::kUnsupportedAttachment);
  CHECK(rejection.message.find("photo.jpg") != std::string::npos);
  mail.attachments = {{"archive.zip", "application/zip", "PK\x03\x04"}};
  CHECK(Rejected(mail, Policy()).reason == MailToFaxRejectReason::kUnsupportedAttachment);
}

TEST_CASE("Every rejection reason has a stable name") {
  CHECK(std::string(MailToFaxRejectReasonName(MailToFaxRejectReason::kUnknownSender)) ==
        "unknown_sender");
  CHECK(std::string(MailToFaxRejectReasonName(MailToFaxRejectReason::kWrongPin)) == "wrong_pin");
  MailToFaxRejection malformed =
      MailToFaxRejectionFor(absl::InvalidArgumentError("malformed MIME: no headers"));
  CHECK(malformed.reason == MailToFaxRejectReason::kMalformedMessage);
  CHECK(malformed.message.find("malformed MIME") != std::string::npos);
}

TEST_CASE("MailAddressOf and MailAddressMatches") {
  CHECK(MailAddressOf("Mario <Mario@Example.org>") == "Mario@Example.org");
  CHECK(MailAddressOf("  bob@example.com ") == "bob@example.com");
  CHECK(MailAddressOf("bob@example.com (Bob)") == "bob@example.com");
  CHECK(MailAddressOf("") == "");
  CHECK(MailAddressMatches("Mario.Rossi+fax@MIODOMINIO.org", "mario.rossi@miodominio.org"));
  CHECK_FALSE(MailAddressMatches("mario.rossi@miodominio.org", "mario.rossi@other.org"));
  CHECK_FALSE(MailAddressMatches("+x@miodominio.org", "@miodominio.org"));
}

}  // namespace
}  // namespace pbx::fax
