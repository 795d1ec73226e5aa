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
  return absl::StrCat("[", OneLine(fax.serial_number), "] FAX to ", OneLine(fax.destination), " ",
                      verb);
}

std::string FaxTransmissionBody(const FaxTransmissionInfo& fax, absl::TimeZone zone) {
  std::string body = absl::StrCat("FAX sent to ", OneLine(fax.destination), "\n\n");
  absl::StrAppend(&body, "Outcome: ", FaxSendOutcomeName(fax.outcome), "\n");
  if (fax.outcome != FaxSendOutcome::kSuccess && !fax.failure_reason.empty()) {
    absl::StrAppend(&body, "Reason: ", OneLine(fax.failure_reason), "\n");
  }
  if (!fax.document_name.empty()) {
    absl::StrAppend(&body, "Document: ", OneLine(fax.document_name), "\n");
  }
  if (!fax.instance_name.empty()) {
    absl::StrAppend(&body, "FAX line: ", OneLine(fax.instance_name), "\n");
  }
  absl::StrAppend(
      &body, "Date and time: ", FormatSystemTime("%d/%m/%Y %H:%M:%S", fax.finished_at, zone), "\n");
  absl::StrAppend(&body, "Transmission time : ", fax.duration.count(), " seconds\n");
  absl::StrAppend(&body, "Number of pages: ", fax.pages_sent, " of ", fax.pages_total, "\n");
  absl::StrAppend(&body, "Remote station ID: ",
                  fax.remote_station_id.empty() ? "-" : OneLine(fax.remote_station_id), "\n");
  absl::StrAppend(&body, "Attempts: ", fax.attempts, "\n");
  if (!fax.fax_id.empty()) absl::StrAppend(&body, "FAX ID: ", OneLine(fax.fax_id), "\n");
  return body;
}

MailMessage ComposeTransmissionReportMail(const FaxTransmissionInfo& fax, std::string from,
                                          std::vector<std::string> to, std::string page_one_png,
                                          absl::TimeZone zone) {
  MailMessage mail;
  mail.from = std::move(from);
  mail.to = std::move(to);
  mail.subject = FaxTransmissionSubject(fax);
  mail.text_body = FaxTransmissionBody(fax, zone);
  if (!page_one_png.empty()) {
    mail.attachments.push_back({absl::StrCat("F", FileNameSafe(fax.fax_id), "_page1.png"),
                                "image/png", std::move(page_one_png)});
  }
  return mail;
}

}  // namespace pbx::fax
