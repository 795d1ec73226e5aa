// Which attachments Mail2Fax accepts: pdf, doc, docx, odt (S000:133, S000:159) and TIFF
// (the fax page format itself; catalog §1.12).
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "pbx/fax/mail_to_fax_request.h"

namespace pbx::fax {
namespace {

std::optional<MailDocumentFormat> ByExtension(absl::string_view filename) {
  size_t dot = filename.rfind('.');
  if (dot == absl::string_view::npos) return std::nullopt;
  std::string ext = absl::AsciiStrToLower(filename.substr(dot + 1));
  if (ext == "pdf") return MailDocumentFormat::kPdf;
  if (ext == "tif" || ext == "tiff") return MailDocumentFormat::kTiff;
  if (ext == "doc") return MailDocumentFormat::kDoc;
  if (ext == "docx") return MailDocumentFormat::kDocx;
  if (ext == "odt") return MailDocumentFormat::kOdt;
  return std::nullopt;
}

std::optional<MailDocumentFormat> ByContentType(absl::string_view type) {
  std::string t = absl::AsciiStrToLower(type);
  if (t == "application/pdf" || t == "application/x-pdf") return MailDocumentFormat::kPdf;
  if (t == "image/tiff" || t == "image/tif") return MailDocumentFormat::kTiff;
  if (t == "application/msword") return MailDocumentFormat::kDoc;
  if (t == "application/vnd.openxmlformats-officedocument.wordprocessingml.document") {
    return MailDocumentFormat::kDocx;
  }
  if (t == "application/vnd.oasis.opendocument.text") return MailDocumentFormat::kOdt;
  return std::nullopt;
}

std::optional<MailDocumentFormat> ByContent(absl::string_view bytes) {
  if (absl::StartsWith(bytes, "%PDF-")) return MailDocumentFormat::kPdf;
  if (absl::StartsWith(bytes, absl::string_view("II*\0", 4)) ||
      absl::StartsWith(bytes, absl::string_view("MM\0*", 4))) {
    return MailDocumentFormat::kTiff;
  }
  return std::nullopt;
}

}  // namespace

std::optional<MailDocumentFormat> DetectMailDocumentFormat(const MailAttachment& attachment) {
  // A file name with a known extension is what the user meant; mail clients often label
  // everything application/octet-stream.
  if (auto format = ByExtension(attachment.filename)) return format;
  if (auto format = ByContentType(attachment.contentType)) return format;
  // Last resort for "noname" parts labelled application/octet-stream: PDF and TIFF carry
  // a signature in their first bytes.
  return ByContent(attachment.bytes);
}

const char* MailDocumentFormatName(MailDocumentFormat format) {
  switch (format) {
    case MailDocumentFormat::kPdf:
      return "pdf";
    case MailDocumentFormat::kTiff:
      return "tiff";
    case MailDocumentFormat::kDoc:
      return "doc";
    case MailDocumentFormat::kDocx:
      return "docx";
    case MailDocumentFormat::kOdt:
      return "odt";
  }
  return "unknown";
}

}  // namespace pbx::fax
