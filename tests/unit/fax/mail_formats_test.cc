// The Fax2Mail formats against the seed text (S000:163-194; S001:415-444;
// S004:17996-18025) and the transmission report.
#include "pbx/fax/mail_formats.h"

#include <doctest/doctest.h>

#include "absl/time/civil_time.h"

namespace pbx::fax {
namespace {

SystemTime At(int y, int mo, int d, int h, int mi, int s) {
  return absl::ToChronoTime(
      absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s), absl::UTCTimeZone()));
}

// The seed's example: a fax from 0501234567 to 0509655637, register id 211, received on
// 12/03/2020 at 11:51:38, 34 seconds, 1 page, on a PBX with serial KPBX40299999.
ReceivedFaxInfo SeedFax() {
  ReceivedFaxInfo fax;
  fax.serialNumber = "KPBX40299999";
  fax.callingNumber = "0501234567";
  fax.reachedNumber = "0509655637";
  fax.receivedAt = At(2020, 3, 12, 11, 51, 38);
  fax.transmissionTime = std::chrono::seconds(34);
  fax.pages = 1;
  fax.faxId = "211";
  return fax;
}

TEST_CASE("Fax2Mail subject: [SERIAL NUMBER] FAX successfully received from 0XXXXXXXX") {
  // S000:168 "Subject: [SERIAL NUMBER] FAX successfully received from 0XXXXXXXX", "where
  // 0XXXXXXX is the calling number preceded by 0 of the commitment line". (The seed's
  // example, "...from 050123456" for the number 0501234567, contradicts its own rule and
  // loses a digit; the rule is followed here.)
  CHECK(FaxReceivedSubject(SeedFax()) ==
        "[KPBX40299999] FAX successfully received from 00501234567");
  ReceivedFaxInfo no_prefix = SeedFax();
  no_prefix.linePrefix = "";
  CHECK(FaxReceivedSubject(no_prefix) ==
        "[KPBX40299999] FAX successfully received from 0501234567");
}

TEST_CASE("Fax2Mail body matches the seed example byte for byte") {
  // S001:431-434 / S004:18009-18012 (S000:181-185 has the same text, with a blank line
  // after the first line):
  //   FAX received from 0501234567
  //
  //   Date and time: 12/03/2020 11:51:38
  //   Transmission time : 34 seconds
  //   Number of pages: 1
  const char* seed =
      "FAX received from 0501234567\n"
      "\n"
      "Date and time: 12/03/2020 11:51:38\n"
      "Transmission time : 34 seconds\n"
      "Number of pages: 1\n";
  CHECK(FaxReceivedBody(SeedFax(), absl::UTCTimeZone()) == seed);
}

TEST_CASE("Fax2Mail attachment name matches the seed example byte for byte") {
  // S000:189 "F<0calling_number>_T<reached_number>_YYYY-MM-DD_HH_MM_SS_FAXID.pdf"
  // S000:193 "F00501234567_T0509655637_2020-03-12_11_51_38_211.pdf"
  CHECK(FaxReceivedAttachmentName(SeedFax(), absl::UTCTimeZone()) ==
        "F00501234567_T0509655637_2020-03-12_11_51_38_211.pdf");
}

TEST_CASE("Fax2Mail formats in the given time zone") {
  ReceivedFaxInfo fax = SeedFax();
  fax.receivedAt = At(2020, 3, 12, 10, 51, 38);  // 11:51:38 in Rome (CET, UTC+1)
  absl::TimeZone rome = absl::FixedTimeZone(3600);
  CHECK(FaxReceivedAttachmentName(fax, rome) ==
        "F00501234567_T0509655637_2020-03-12_11_51_38_211.pdf");
  CHECK(FaxReceivedBody(fax, rome).find("Date and time: 12/03/2020 11:51:38\n") !=
        std::string::npos);
}

TEST_CASE("Fax2Mail survives a malformed remote ident") {
  // S004:1435 K-627: malformed attributes from the remote must not stop delivery.
  ReceivedFaxInfo fax = SeedFax();
  fax.callingNumber = "05/01\r\nBcc: x@evil";
  fax.reachedNumber = "";
  CHECK(FaxReceivedSubject(fax) ==
        "[KPBX40299999] FAX successfully received from 005/01Bcc: x@evil");
  CHECK(FaxReceivedAttachmentName(fax, absl::UTCTimeZone()) ==
        "F005_01__Bcc__x_evil_T_2020-03-12_11_51_38_211.pdf");
  CHECK(
      FaxReceivedBody(fax, absl::UTCTimeZone()).rfind("FAX received from 05/01Bcc: x@evil\n", 0) ==
      0);
}

TEST_CASE("ComposeFaxReceivedMail attaches the PDF under the seed name") {
  MailMessage mail =
      ComposeFaxReceivedMail(SeedFax(), "PBX <pbx@example.com>", {"alice@example.com"},
                             "%PDF-1.4 ...", absl::UTCTimeZone());
  CHECK(mail.subject == "[KPBX40299999] FAX successfully received from 00501234567");
  REQUIRE(mail.attachments.size() == 1);
  CHECK(mail.attachments[0].filename == "F00501234567_T0509655637_2020-03-12_11_51_38_211.pdf");
  CHECK(mail.attachments[0].contentType == "application/pdf");
  CHECK(mail.attachments[0].bytes == "%PDF-1.4 ...");
}

FaxTransmissionInfo SentFax() {
  FaxTransmissionInfo fax;
  fax.serialNumber = "KPBX40299999";
  fax.faxId = "212";
  fax.instanceName = "fax1";
  fax.destination = "0509655637";
  fax.pagesSent = 2;
  fax.pagesTotal = 2;
  fax.duration = std::chrono::seconds(61);
  fax.remoteStationId = "+39 050 9655637";
  fax.attempts = 1;
  fax.finishedAt = At(2020, 3, 12, 12, 5, 0);
  fax.documentName = "offer.pdf";
  return fax;
}

TEST_CASE("Transmission report: success") {
  FaxTransmissionInfo fax = SentFax();
  CHECK(FaxTransmissionSubject(fax) == "[KPBX40299999] FAX to 0509655637 sent successfully");
  CHECK(FaxTransmissionBody(fax, absl::UTCTimeZone()) ==
        "FAX sent to 0509655637\n"
        "\n"
        "Outcome: Success\n"
        "Document: offer.pdf\n"
        "FAX line: fax1\n"
        "Date and time: 12/03/2020 12:05:00\n"
        "Transmission time : 61 seconds\n"
        "Number of pages: 2 of 2\n"
        "Remote station ID: +39 050 9655637\n"
        "Attempts: 1\n"
        "FAX ID: 212\n");
  MailMessage mail = ComposeTransmissionReportMail(fax, "pbx@example.com", {"bob@example.com"},
                                                   "\x89PNG\r\n\x1a\n", absl::UTCTimeZone());
  REQUIRE(mail.attachments.size() == 1);
  CHECK(mail.attachments[0].filename == "F212_page1.png");
  CHECK(mail.attachments[0].contentType == "image/png");
  CHECK(mail.attachments[0].bytes == "\x89PNG\r\n\x1a\n");
}

TEST_CASE("Transmission report: a failure names the reason and may have no thumbnail") {
  FaxTransmissionInfo fax = SentFax();
  fax.outcome = FaxSendOutcome::kFailed;
  fax.failureReason = "No answer";
  fax.pagesSent = 0;
  fax.attempts = 3;
  fax.remoteStationId = "";
  CHECK(FaxTransmissionSubject(fax) == "[KPBX40299999] FAX to 0509655637 failed");
  std::string body = FaxTransmissionBody(fax, absl::UTCTimeZone());
  CHECK(body.find("Outcome: Failed\nReason: No answer\n") != std::string::npos);
  CHECK(body.find("Number of pages: 0 of 2\n") != std::string::npos);
  CHECK(body.find("Remote station ID: -\n") != std::string::npos);
  CHECK(body.find("Attempts: 3\n") != std::string::npos);
  CHECK(ComposeTransmissionReportMail(fax, "a@b", {"c@d"}, "").attachments.empty());
}

}  // namespace
}  // namespace pbx::fax
