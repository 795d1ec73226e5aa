// SMTP submission of MailMessages over libcurl.
#include <cstring>

#include "absl/strings/str_cat.h"
#include "lib/base/log.h"
#include "lib/fax/mail/curl_support.h"
#include "pbx/base/status.h"
#include "pbx/fax/mail_mime.h"
#include "pbx/fax/mail_transport.h"

namespace pbx::fax {
namespace {

struct Upload {
  const std::string* data;
  size_t offset = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  size_t n = std::min(size * count, upload->data->size() - upload->offset);
  std::memcpy(buffer, upload->data->data() + upload->offset, n);
  upload->offset += n;
  return n;
}

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

class SmtpSender final : public MailSender {
 public:
  SmtpSender(SmtpOptions options, const TimeSource& time)
      : options_(std::move(options)), time_(time) {}

  absl::Status send(const MailMessage& message) override {
    MailMessage dated = message;
    if (!dated.date) dated.date = time_.systemTime();
    PBX_ASSIGN_OR_RETURN(std::string wire, ComposeMime(dated));

    std::string from = options_.envelopeFrom.empty() ? MailAddressOf(message.from)
                                                     : MailAddressOf(options_.envelopeFrom);
    std::unique_ptr<curl_slist, SlistDeleter> recipients;
    for (const std::string& to : message.to) {
      std::string address = MailAddressOf(to);
      if (address.empty()) {
        return absl::InvalidArgumentError(absl::StrCat("mail: invalid To address \"", to, "\""));
      }
      recipients.reset(
          curl_slist_append(recipients.release(), absl::StrCat("<", address, ">").c_str()));
    }

    PBX_ASSIGN_OR_RETURN(auto session,
                         internal::CurlSession::Open(options_.server, internal::kSmtp));
    CURL* curl = session->handle();
    std::string mail_from = absl::StrCat("<", from, ">");
    Upload upload{&wire};
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, mail_from.c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients.get());
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, &ReadUpload);
    curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(wire.size()));
    PBX_RETURN_IF_ERROR(session->perform("", "sending mail"));
    PBX_LOG(kDebug, "mail", "", "sent \"{}\" to {} recipient(s), {} bytes", message.subject,
            message.to.size(), wire.size());
    return absl::OkStatus();
  }

 private:
  const SmtpOptions options_;
  const TimeSource& time_;
};

}  // namespace

absl::StatusOr<MailSenderPtr> CreateSmtpSender(SmtpOptions options, const TimeSource& time) {
  if (options.server.host.empty()) {
    return absl::InvalidArgumentError("SMTP: no server host configured");
  }
  if (options.server.timeout.count() <= 0) {
    return absl::InvalidArgumentError("SMTP: the timeout must be positive");
  }
  return std::make_unique<SmtpSender>(std::move(options), time);
}

}  // namespace pbx::fax
