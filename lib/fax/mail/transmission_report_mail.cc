// The transmission report mailed to the sender of a fax (catalog §1.5: "notified via email
// for each sent fax with the report attached"). The seeds give no layout; this one follows
// the Fax2Mail body's style, one "Label: value" line per fact.
#include "absl/strings/str_cat.h"
#include "lib/fax/mail/format_helpers.h"
#include "pbx/fax/mail_formats.h"

namespace pbx::fax {

using internal::FileNameSafe;
using internal::FormatSystemTime;
using internal::OneLine;

const char* FaxSendOutcomeName(FaxSendOutcome outcome) {
  switch (outcome) {
    case FaxSendOutcome::kSuccess:
      return "Success";
    case FaxSendOutcome::kFailed:
      return "Failed";
    case FaxSendOutcome::kCancelled:
      return "Cancelled";
  }
  return "Unknown";
}

std::string FaxTransmissionSubject(const FaxTransmissionInfo& fax) {
  const char* verb = fax.outcome == FaxSendOutcome::kSuccess  ? "sent successfully"
                     : fax.outcome == FaxSendOutcome::kFailed ? "failed"
                                                              : "cancelled";
  return absl::StrCat("[", OneLine(fax.serialNumber), "] FAX to ", OneLine(fax.destination), " ",
                      verb);
}

std::string FaxTransmissionBody(const FaxTransmissionInfo& fax, absl::TimeZone zone) {
  std::string body = absl::StrCat("FAX sent to ", OneLine(fax.destination), "\n\n");
  absl::StrAppend(&body, "Outcome: ", FaxSendOutcomeName(fax.outcome), "\n");
  if (fax.outcome != FaxSendOutcome::kSuccess && !fax.failureReason.empty()) {
    absl::StrAppend(&body, "Reason: ", OneLine(fax.failureReason), "\n");
  }
  if (!fax.documentName.empty()) {
    absl::StrAppend(&body, "Document: ", OneLine(fax.documentName), "\n");
  }
  if (!fax.instanceName.empty()) {
    absl::StrAppend(&body, "FAX line: ", OneLine(fax.instanceName), "\n");
  }
  absl::StrAppend(
      &body, "Date and time: ", FormatSystemTime("%d/%m/%Y %H:%M:%S", fax.finishedAt, zone), "\n");
  absl::StrAppend(&body, "Transmission time : ", fax.duration.count(), " seconds\n");
  absl::StrAppend(&body, "Number of pages: ", fax.pagesSent, " of ", fax.pagesTotal, "\n");
  absl::StrAppend(&body, "Remote station ID: ",
                  fax.remoteStationId.empty() ? "-" : OneLine(fax.remoteStationId), "\n");
  absl::StrAppend(&body, "Attempts: ", fax.attempts, "\n");
  if (!fax.faxId.empty()) absl::StrAppend(&body, "FAX ID: ", OneLine(fax.faxId), "\n");
  return body;
}

MailMessage ComposeTransmissionReportMail(const FaxTransmissionInfo& fax, std::string from,
                                          std::vector<std::string> to, std::string pageOnePng,
                                          absl::TimeZone zone) {
  MailMessage mail;
  mail.from = std::move(from);
  mail.to = std::move(to);
  mail.subject = FaxTransmissionSubject(fax);
  mail.textBody = FaxTransmissionBody(fax, zone);
  if (!pageOnePng.empty()) {
    mail.attachments.push_back({absl::StrCat("F", FileNameSafe(fax.faxId), "_page1.png"),
                                "image/png", std::move(pageOnePng)});
  }
  return mail;
}

}  // namespace pbx::fax
