// Document decoders: turn one input file (PDF, TIFF) into finished fax page bitmaps,
// handed one by one to a PageSink. They run inside the sandboxed child process (see
// decoder_process.h) or, when isolation is off, in the caller's thread.
//
//   class Collect : public PageSink { ... };
//   PBX_RETURN_IF_ERROR(DecodeDocument(path, DocumentType::kPdf, options, sink));
//
// Thread-safety: the decoders keep no state; one call per thread.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/fax/documents/bitmap.h"
#include "lib/fax/documents/page_layout.h"

namespace pbx::fax::internal {

enum class DocumentType { kPdf, kTiff, kOffice };

// Receives a document's pages. Returning an error stops the decoder.
class PageSink {
 public:
  virtual ~PageSink() = default;
  // Called once, before any page, with the document's page count.
  virtual absl::Status beginDocument(int page_count) = 0;
  // A finished page: kFaxPageWidth wide, at the target line density.
  virtual absl::Status addPage(Bitmap page) = 0;
};

struct DecodeOptions {
  LayoutOptions layout;
  int max_pages = 100;             // the pages this document may still add
  bool extract_fax_images = true;  // see DocumentConversionOptions
};

// Identifies a file by its first bytes (falling back to the extension for office files).
absl::StatusOr<DocumentType> DetectDocumentType(const std::string& path,
                                                const std::string& first_bytes);

absl::Status DecodeDocument(const std::string& path, DocumentType type,
                            const DecodeOptions& options, PageSink& sink);

absl::Status DecodeTiffDocument(const std::string& path, const DecodeOptions& options,
                                PageSink& sink);
absl::Status DecodePdfDocument(const std::string& path, const DecodeOptions& options,
                               PageSink& sink);

}  // namespace pbx::fax::internal
