// ParseMime: untrusted RFC 5322 text -> MailMessage, via GMime.
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "lib/fax/mail/gmime_support.h"
#include "pbx/fax/mail_mime.h"

namespace pbx::fax {
namespace {

using internal::GObjectPtr;
using internal::TakeGString;

// Deeper nesting than this is not a fax request; the limit bounds recursion on hostile input.
constexpr int kMaxDepth = 16;

std::string UnixNewlines(std::string text) {
  return absl::StrReplaceAll(text, {{"\r\n", "\n"}, {"\r", "\n"}});
}

std::string DecodedContent(GMimePart* part) {
  GMimeDataWrapper* content = g_mime_part_get_content(part);
  if (content == nullptr) return "";
  GObjectPtr<GMimeStream> memory(g_mime_stream_mem_new());
  if (g_mime_data_wrapper_write_to_stream(content, memory.get()) < 0) return "";
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(memory.get()));
  if (bytes == nullptr) return "";
  return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

std::string MimeTypeOf(GMimeObject* object) {
  GMimeContentType* type = g_mime_object_get_content_type(object);
  if (type == nullptr) return "application/octet-stream";
  return absl::AsciiStrToLower(TakeGString(g_mime_content_type_get_mime_type(type)));
}

bool IsAttachment(GMimePart* part) {
  if (g_mime_part_get_filename(part) != nullptr) return true;
  GMimeContentDisposition* disposition = g_mime_object_get_content_disposition(GMIME_OBJECT(part));
  return disposition != nullptr && g_mime_content_disposition_is_attachment(disposition);
}

class PartCollector {
 public:
  explicit PartCollector(MailMessage* out) : out_(out) {}

  void collect(GMimeObject* object, int depth) {
    if (object == nullptr || depth > kMaxDepth) return;
    if (GMIME_IS_MULTIPART(object)) {
      GMimeMultipart* multipart = GMIME_MULTIPART(object);
      int count = g_mime_multipart_get_count(multipart);
      for (int i = 0; i < count; ++i) collect(g_mime_multipart_get_part(multipart, i), depth + 1);
    } else if (GMIME_IS_MESSAGE_PART(object)) {
      addForwardedMessage(GMIME_MESSAGE_PART(object));
    } else if (GMIME_IS_PART(object)) {
      addPart(GMIME_PART(object));
    }
  }

 private:
  void addPart(GMimePart* part) {
    std::string type = MimeTypeOf(GMIME_OBJECT(part));
    if (IsAttachment(part)) {
      const char* filename = g_mime_part_get_filename(part);
      out_->attachments.push_back({filename != nullptr
                                       ? filename
                                       : absl::StrCat("attachment", out_->attachments.size() + 1),
                                   type, DecodedContent(part)});
    } else if (type == "text/plain" && !have_text_ && GMIME_IS_TEXT_PART(part)) {
      out_->textBody = UnixNewlines(TakeGString(g_mime_text_part_get_text(GMIME_TEXT_PART(part))));
      have_text_ = true;
    }
    // Inline non-plain parts (an HTML alternative, a signature logo) are not content.
  }

  void addForwardedMessage(GMimeMessagePart* part) {
    GMimeMessage* inner = g_mime_message_part_get_message(part);
    std::string raw =
        inner == nullptr ? "" : TakeGString(g_mime_object_to_string(GMIME_OBJECT(inner), nullptr));
    const char* filename =
        g_mime_object_get_content_disposition_parameter(GMIME_OBJECT(part), "filename");
    out_->attachments.push_back(
        {filename != nullptr ? filename : "forwarded.eml", "message/rfc822", std::move(raw)});
  }

  MailMessage* out_;
  bool have_text_ = false;
};

std::string AddressListText(InternetAddressList* list, int index) {
  InternetAddress* address = internet_address_list_get_address(list, index);
  if (address == nullptr) return "";
  return TakeGString(internet_address_to_string(address, nullptr, FALSE));
}

}  // namespace

absl::StatusOr<MailMessage> ParseMime(absl::string_view raw) {
  if (absl::StripAsciiWhitespace(raw).empty()) {
    return absl::InvalidArgumentError("malformed MIME: the message is empty");
  }
  internal::EnsureGMimeInitialized();
  GObjectPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
  GObjectPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  GObjectPtr<GMimeMessage> mime(g_mime_parser_construct_message(parser.get(), nullptr));
  if (mime == nullptr) {
    return absl::InvalidArgumentError("malformed MIME: no message header block");
  }
  GMimeHeaderList* headers = g_mime_object_get_header_list(GMIME_OBJECT(mime.get()));
  if (headers == nullptr || g_mime_header_list_get_count(headers) == 0) {
    return absl::InvalidArgumentError("malformed MIME: the message has no headers");
  }

  MailMessage out;
  InternetAddressList* from = g_mime_message_get_from(mime.get());
  if (from != nullptr && internet_address_list_length(from) > 0) {
    out.from = AddressListText(from, 0);
  }
  InternetAddressList* to = g_mime_message_get_to(mime.get());
  for (int i = 0; to != nullptr && i < internet_address_list_length(to); ++i) {
    out.to.push_back(AddressListText(to, i));
  }
  if (const char* subject = g_mime_message_get_subject(mime.get())) out.subject = subject;
  if (GDateTime* date = g_mime_message_get_date(mime.get())) {
    out.date = SystemTime(std::chrono::seconds(g_date_time_to_unix(date)));
  }
  if (const char* id = g_mime_message_get_message_id(mime.get())) out.messageId = id;

  PartCollector(&out).collect(g_mime_message_get_mime_part(mime.get()), 0);
  return out;
}

}  // namespace pbx::fax
