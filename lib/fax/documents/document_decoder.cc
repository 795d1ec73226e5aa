#include "lib/fax/documents/document_decoder.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace pbx::fax::internal {

absl::StatusOr<DocumentType> DetectDocumentType(const std::string& path,
                                                const std::string& first_bytes) {
  const absl::string_view head(first_bytes);
  if (absl::StartsWith(head, "II*") || absl::StartsWith(head, absl::string_view("MM\0*", 4)) ||
      absl::StartsWith(head, "II+") || absl::StartsWith(head, absl::string_view("MM\0+", 4))) {
    return DocumentType::kTiff;
  }
  if (absl::StrContains(head.substr(0, 1024), "%PDF-")) return DocumentType::kPdf;
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const bool office_ext = ext == ".doc" || ext == ".docx" || ext == ".odt" || ext == ".rtf";
  const bool office_magic = absl::StartsWith(head, "PK\x03\x04") ||
                            absl::StartsWith(head, "\xD0\xCF\x11\xE0") ||
                            absl::StartsWith(head, "{\\rtf");
  if (office_ext && office_magic) return DocumentType::kOffice;
  if (ext == ".pdf") return absl::InvalidArgumentError("not a PDF file (no %PDF- header)");
  if (ext == ".tif" || ext == ".tiff") {
    return absl::InvalidArgumentError("not a TIFF file (bad byte-order header)");
  }
  if (office_ext) return absl::InvalidArgumentError(absl::StrCat("not a valid ", ext, " file"));
  return absl::InvalidArgumentError(
      "unsupported document type (expected PDF, TIFF, or doc/docx/odt/rtf)");
}

absl::Status DecodeDocument(const std::string& path, DocumentType type,
                            const DecodeOptions& options, PageSink& sink) {
  switch (type) {
    case DocumentType::kTiff:
      return DecodeTiffDocument(path, options, sink);
    case DocumentType::kPdf:
      return DecodePdfDocument(path, options, sink);
    case DocumentType::kOffice:
      break;
  }
  return absl::InternalError("office documents are converted to PDF before decoding");
}

}  // namespace pbx::fax::internal
