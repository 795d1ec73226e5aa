// Fax2Mail: the notification mail of a received fax, in the seed's exact format
// (S000:163-194, S001:415-444, S004:17996-18025; catalog §1.8).
#include "absl/strings/str_cat.h"
#include "lib/fax/mail/format_helpers.h"
#include "pbx/fax/mail_formats.h"

namespace pbx::fax {

using internal::FileNameSafe;
using internal::FormatSystemTime;
using internal::OneLine;

std::string FaxReceivedSubject(const ReceivedFaxInfo& fax) {
  // "Subject: [SERIAL NUMBER] FAX successfully received from 0XXXXXXXX" (S000:168)
  return absl::StrCat("[", OneLine(fax.serialNumber), "] FAX successfully received from ",
                      OneLine(fax.linePrefix), OneLine(fax.callingNumber));
}

std::string FaxReceivedBody(const ReceivedFaxInfo& fax, absl::TimeZone zone) {
  // S000:181-185. The separator " : " after "Transmission time" is as in S001 and S004
  // (S000 has a no-break space there, a wiki rendering artefact).
  return absl::StrCat(
      "FAX received from ", OneLine(fax.callingNumber), "\n",  //
      "\n",                                                    //
      "Date and time: ", FormatSystemTime("%d/%m/%Y %H:%M:%S", fax.receivedAt, zone),
      "\n",  //
      "Transmission time : ", fax.transmissionTime.count(), " seconds\n",
      "Number of pages: ", fax.pages, "\n");
}

std::string FaxReceivedAttachmentName(const ReceivedFaxInfo& fax, absl::TimeZone zone) {
  // F<0calling_number>_T<reached_number>_YYYY-MM-DD_HH_MM_SS_FAXID.pdf (S000:189)
  return absl::StrCat("F", FileNameSafe(fax.linePrefix), FileNameSafe(fax.callingNumber), "_T",
                      FileNameSafe(fax.reachedNumber), "_",
                      FormatSystemTime("%Y-%m-%d_%H_%M_%S", fax.receivedAt, zone), "_",
                      FileNameSafe(fax.faxId), ".pdf");
}

MailMessage ComposeFaxReceivedMail(const ReceivedFaxInfo& fax, std::string from,
                                   std::vector<std::string> to, std::string pdf,
                                   absl::TimeZone zone) {
  MailMessage mail;
  mail.from = std::move(from);
  mail.to = std::move(to);
  mail.subject = FaxReceivedSubject(fax);
  mail.textBody = FaxReceivedBody(fax, zone);
  mail.attachments.push_back(
      {FaxReceivedAttachmentName(fax, zone), "application/pdf", std::move(pdf)});
  return mail;
}

}  // namespace pbx::fax
