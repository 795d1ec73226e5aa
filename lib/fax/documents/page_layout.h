// Page layout: fits a decoded source image onto a fax page (1728 pixels wide, A4 or Letter
// long, at the target resolution) and halftones it.
//
//   SourceImage scan{.grey = std::move(grey), .x_dpi = 300, .y_dpi = 300};
//   Bitmap page = LayoutPage(scan, layout);
//
// Rules: an image is placed at its physical size (from its dpi), shrunk to fit the page
// when larger, never enlarged, and centred. An image without a resolution is scaled to the
// page width. A bilevel image that already is a fax page (1728 wide at ~204 dpi, ~98 or
// ~196 lines per inch) keeps its pixels and its length; only its line density is converted.
//
// Thread-safety: stateless.
#pragma once

#include "lib/fax/documents/bitmap.h"
#include "pbx/fax/document_converter.h"

namespace pbx::fax::internal {

struct LayoutOptions {
  FaxResolution resolution = FaxResolution::kFine;
  PaperSize paper = PaperSize::kA4;
  Halftoning halftoning = Halftoning::kAuto;
  std::int64_t max_image_pixels = 100'000'000;
};

struct SourceImage {
  bool is_bilevel = false;
  Bitmap bilevel;    // when is_bilevel
  GreyImage grey;    // otherwise
  double x_dpi = 0;  // 0 when the file does not say
  double y_dpi = 0;
};

// True for a bilevel image that is already a fax page at one of the fax line densities;
// `*source_lpi` receives 98 or 196.
bool IsFaxBitmap(int width, double x_dpi, double y_dpi, int* source_lpi);

// Doubles (98 -> 196) or merges pairs of (196 -> 98) lines; merged lines keep every black
// pixel of both, so thin horizontal strokes survive.
Bitmap ConvertLineDensity(const Bitmap& page, int from_lpi, int to_lpi);

Bitmap LayoutPage(const SourceImage& source, const LayoutOptions& options);

// Centres an image that was rendered at the target resolution on a page and halftones it.
// With `keep_length` the page is as long as the image instead of A4/Letter.
Bitmap PlaceOnPage(const GreyImage& rendered, const LayoutOptions& options, bool keep_length);

}  // namespace pbx::fax::internal
