// The mails the fax service writes: the Fax2Mail notification of a received fax, in the
// exact format of the seed documentation (Kalliope FAX module, catalog §1.8), and the
// transmission report sent to the user who sent a fax (catalog §1.5, §1.11).
//
//   pbx::fax::ReceivedFaxInfo fax;
//   fax.serialNumber = "KPBX40299999";
//   fax.callingNumber = "0501234567";
//   fax.reachedNumber = "0509655637";
//   fax.receivedAt = time.systemTime();
//   fax.transmissionTime = std::chrono::seconds(34);
//   fax.pages = 1;
//   fax.faxId = "211";
//   pbx::fax::MailMessage mail = pbx::fax::ComposeFaxReceivedMail(
//       fax, "PBX <pbx@example.com>", {"alice@example.com"}, pdfBytes);
//   // Subject: [KPBX40299999] FAX successfully received from 00501234567
//   // Attachment: F00501234567_T0509655637_2020-03-12_11_51_38_211.pdf
//
// Every function is pure: wall-clock values come in as arguments, formatted in `zone`.
// Remote-supplied values (numbers, station ids) are untrusted: control characters are
// removed from header text and file names keep only [0-9A-Za-z+#*-], so a malformed remote
// ident never stops a received fax from being delivered.
//
// Thread-safety: stateless; call from any thread.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "pbx/base/time_source.h"
#include "pbx/fax/mail_message.h"

namespace pbx::fax {

struct ReceivedFaxInfo {
  std::string serialNumber;   // the PBX serial, printed in brackets in the subject
  std::string callingNumber;  // as received, e.g. "0501234567"
  std::string reachedNumber;  // the number the fax was sent to, e.g. "0509655637"
  // The outside-line access prefix of the line the fax came in on ("0 of the commitment
  // line" in the seed); it is prepended to the calling number in subject and file name.
  std::string linePrefix = "0";
  SystemTime receivedAt;
  std::chrono::seconds transmissionTime{0};
  int pages = 0;
  std::string faxId;  // the fax register id, e.g. "211"
};

// "[KPBX40299999] FAX successfully received from 00501234567"
std::string FaxReceivedSubject(const ReceivedFaxInfo& fax);
// "FAX received from 0501234567\n\nDate and time: 12/03/2020 11:51:38\n"
// "Transmission time : 34 seconds\nNumber of pages: 1\n"
std::string FaxReceivedBody(const ReceivedFaxInfo& fax, absl::TimeZone zone);
// "F00501234567_T0509655637_2020-03-12_11_51_38_211.pdf"
std::string FaxReceivedAttachmentName(const ReceivedFaxInfo& fax, absl::TimeZone zone);

// The whole notification, with `pdf` attached as application/pdf.
MailMessage ComposeFaxReceivedMail(const ReceivedFaxInfo& fax, std::string from,
                                   std::vector<std::string> to, std::string pdf,
                                   absl::TimeZone zone = absl::LocalTimeZone());

enum class FaxSendOutcome { kSuccess, kFailed, kCancelled };

struct FaxTransmissionInfo {
  std::string serialNumber;
  std::string faxId;
  std::string instanceName;  // the fax line it was sent from
  std::string destination;   // the number dialled
  FaxSendOutcome outcome = FaxSendOutcome::kSuccess;
  std::string failureReason;  // human text, when not kSuccess
  int pagesSent = 0;
  int pagesTotal = 0;
  std::chrono::seconds duration{0};  // of the last attempt's transmission
  std::string remoteStationId;       // TSI/CSI reported by the far end; may be empty
  int attempts = 0;
  SystemTime finishedAt;
  std::string documentName;  // the file the user sent, e.g. "offer.pdf"
};

// "[KPBX40299999] FAX to 0509655637 sent successfully" / "... failed" / "... cancelled"
std::string FaxTransmissionSubject(const FaxTransmissionInfo& fax);
// Line-per-field body in the style of the Fax2Mail body (see docs/fax-mail.md).
std::string FaxTransmissionBody(const FaxTransmissionInfo& fax, absl::TimeZone zone);

// The report mail; `pageOnePng` (may be empty: then no thumbnail is attached) is attached
// as image/png named "F<faxId>_page1.png".
MailMessage ComposeTransmissionReportMail(const FaxTransmissionInfo& fax, std::string from,
                                          std::vector<std::string> to, std::string pageOnePng,
                                          absl::TimeZone zone = absl::LocalTimeZone());

const char* FaxSendOutcomeName(FaxSendOutcome outcome);  // "Success", "Failed", "Cancelled"

}  // namespace pbx::fax
