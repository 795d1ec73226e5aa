// ComposeMime: MailMessage -> RFC 5322 text with CRLF line ends, via GMime.
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "lib/fax/mail/gmime_support.h"
#include "pbx/fax/mail_mime.h"

namespace pbx::fax {
namespace {

using internal::GObjectPtr;

// Header values come from callers that may forward untrusted text (remote fax idents,
// subjects): a CR or LF would start a new header, so they become spaces.
std::string SingleLine(absl::string_view text) {
  return absl::StrReplaceAll(text, {{"\r\n", " "}, {"\r", " "}, {"\n", " "}});
}

absl::Status AppendAddresses(InternetAddressList* list, const std::string& text,
                             absl::string_view header) {
  GObjectPtr<InternetAddressList> parsed(
      internet_address_list_parse(nullptr, SingleLine(text).c_str()));
  if (parsed == nullptr || internet_address_list_length(parsed.get()) == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("mail: invalid ", header, " address \"", SingleLine(text), "\""));
  }
  internet_address_list_append(list, parsed.get());
  return absl::OkStatus();
}

std::string RandomMessageId(absl::string_view from) {
  std::random_device random;
  std::string id;
  for (int i = 0; i < 4; ++i) absl::StrAppend(&id, absl::Hex(random(), absl::kZeroPad8));
  std::string address = MailAddressOf(from);
  size_t at = address.rfind('@');
  std::string domain = at == std::string::npos ? "" : address.substr(at + 1);
  if (domain.empty()) domain = "pbxkit.invalid";
  return absl::StrCat(id, "@", domain);
}

GMimeObject* TextPart(const std::string& body) {
  GMimeTextPart* text = g_mime_text_part_new_with_subtype("plain");
  std::string unix_body = absl::StrReplaceAll(body, {{"\r\n", "\n"}});
  g_mime_text_part_set_text(text, unix_body.c_str());
  g_mime_part_set_content_encoding(
      GMIME_PART(text),
      g_mime_part_get_best_content_encoding(GMIME_PART(text), GMIME_ENCODING_CONSTRAINT_7BIT));
  return GMIME_OBJECT(text);
}

GMimeObject* AttachmentPart(const MailAttachment& attachment) {
  std::pair<std::string, std::string> type =
      absl::StrSplit(attachment.contentType, absl::MaxSplits('/', 1));
  if (type.first.empty() || type.second.empty()) type = {"application", "octet-stream"};
  GMimePart* part = g_mime_part_new_with_type(type.first.c_str(), type.second.c_str());
  g_mime_part_set_filename(part, SingleLine(attachment.filename).c_str());
  GObjectPtr<GMimeStream> stream(
      g_mime_stream_mem_new_with_buffer(attachment.bytes.data(), attachment.bytes.size()));
  GObjectPtr<GMimeDataWrapper> content(
      g_mime_data_wrapper_new_with_stream(stream.get(), GMIME_CONTENT_ENCODING_DEFAULT));
  g_mime_part_set_content(part, content.get());
  g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_BASE64);
  return GMIME_OBJECT(part);
}

}  // namespace

absl::StatusOr<std::string> ComposeMime(const MailMessage& message) {
  if (MailAddressOf(message.from).empty()) {
    return absl::InvalidArgumentError("mail: the message has no From address");
  }
  if (message.to.empty()) return absl::InvalidArgumentError("mail: the message has no To address");
  if (!message.date) return absl::InvalidArgumentError("mail: the message has no Date");
  internal::EnsureGMimeInitialized();

  GObjectPtr<GMimeMessage> mime(g_mime_message_new(TRUE));
  if (absl::Status s = AppendAddresses(g_mime_message_get_from(mime.get()), message.from, "From");
      !s.ok()) {
    return s;
  }
  for (const std::string& to : message.to) {
    if (absl::Status s = AppendAddresses(g_mime_message_get_to(mime.get()), to, "To"); !s.ok()) {
      return s;
    }
  }
  g_mime_message_set_subject(mime.get(), SingleLine(message.subject).c_str(), "utf-8");

  int64_t seconds =
      std::chrono::duration_cast<std::chrono::seconds>(message.date->time_since_epoch()).count();
  GDateTime* date = g_date_time_new_from_unix_utc(seconds);
  g_mime_message_set_date(mime.get(), date);
  g_date_time_unref(date);

  std::string message_id =
      message.messageId.empty() ? RandomMessageId(message.from) : SingleLine(message.messageId);
  g_mime_message_set_message_id(mime.get(), message_id.c_str());

  GObjectPtr<GMimeObject> text(TextPart(message.textBody));
  if (message.attachments.empty()) {
    g_mime_message_set_mime_part(mime.get(), text.get());
  } else {
    GObjectPtr<GMimeMultipart> mixed(g_mime_multipart_new_with_subtype("mixed"));
    g_mime_multipart_add(mixed.get(), text.get());
    for (const MailAttachment& attachment : message.attachments) {
      GObjectPtr<GMimeObject> part(AttachmentPart(attachment));
      g_mime_multipart_add(mixed.get(), part.get());
    }
    g_mime_message_set_mime_part(mime.get(), GMIME_OBJECT(mixed.get()));
  }

  GMimeFormatOptions* options = g_mime_format_options_new();
  g_mime_format_options_set_newline_format(options, GMIME_NEWLINE_FORMAT_DOS);
  std::string wire =
      internal::TakeGString(g_mime_object_to_string(GMIME_OBJECT(mime.get()), options));
  g_mime_format_options_free(options);
  if (wire.empty()) return absl::InternalError("mail: GMime produced an empty message");
  return wire;
}

}  // namespace pbx::fax
