// Recognises PDF pages that are nothing but one full-page CCITT G4 image, such as the pages
// ConvertFaxToPdf writes for received faxes, and decodes that image directly (qpdf +
// libtiff) instead of rendering the page: lossless and several times faster. Any other page
// is left to the renderer.
//
//   std::unique_ptr<PdfFaxImages> images = PdfFaxImages::Open(pdf_bytes);
//   if (images) if (auto fax = images->extract(0)) page = LayoutPage(*fax, layout);
//
// Thread-safety: one instance per thread.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "lib/fax/documents/page_layout.h"

namespace pbx::fax::internal {

class PdfFaxImages {
 public:
  // nullptr when qpdf cannot read the document (the renderer then handles every page).
  static std::unique_ptr<PdfFaxImages> Open(const std::string& pdf_bytes);
  ~PdfFaxImages();

  // The bilevel image and resolution of page `index` (0-based) if the page is a single
  // full-page G4 image; nullopt otherwise.
  std::optional<SourceImage> extract(int index);

 private:
  struct State;
  explicit PdfFaxImages(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace pbx::fax::internal
