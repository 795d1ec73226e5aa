#include "lib/fax/documents/page_layout.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "lib/fax/documents/halftone.h"
#include "lib/fax/documents/resample.h"

namespace pbx::fax::internal {

bool IsFaxBitmap(int width, double x_dpi, double y_dpi, int* source_lpi) {
  if (width != kFaxPageWidth || x_dpi < 196 || x_dpi > 210) return false;
  if (y_dpi >= 90 && y_dpi <= 105) {
    *source_lpi = 98;
    return true;
  }
  if (y_dpi >= 185 && y_dpi <= 210) {
    *source_lpi = 196;
    return true;
  }
  return false;
}

Bitmap ConvertLineDensity(const Bitmap& page, int from_lpi, int to_lpi) {
  if (from_lpi == to_lpi) return page;
  if (to_lpi > from_lpi) {
    Bitmap out = Bitmap::Blank(page.width, page.rows * 2);
    for (int y = 0; y < page.rows; ++y) {
      std::memcpy(out.row(2 * y), page.row(y), page.stride);
      std::memcpy(out.row(2 * y + 1), page.row(y), page.stride);
    }
    return out;
  }
  Bitmap out = Bitmap::Blank(page.width, (page.rows + 1) / 2);
  for (int y = 0; y < out.rows; ++y) {
    std::uint8_t* dst = out.row(y);
    const std::uint8_t* a = page.row(2 * y);
    const std::uint8_t* b = 2 * y + 1 < page.rows ? page.row(2 * y + 1) : a;
    for (int i = 0; i < page.stride; ++i) dst[i] = a[i] | b[i];
  }
  return out;
}

Bitmap PlaceOnPage(const GreyImage& rendered, const LayoutOptions& options, bool keep_length) {
  const int rows = keep_length ? rendered.height : PageRows(options.paper, options.resolution);
  GreyImage canvas = GreyImage::Filled(kFaxPageWidth, rows, 255);
  const int w = std::min(rendered.width, kFaxPageWidth);
  const int h = std::min(rendered.height, rows);
  const int left = (kFaxPageWidth - w) / 2;
  const int top = (rows - h) / 2;
  for (int y = 0; y < h; ++y) {
    std::memcpy(canvas.row(top + y) + left, rendered.row(y), w);
  }
  return Halftone(canvas, options.halftoning);
}

Bitmap LayoutPage(const SourceImage& source, const LayoutOptions& options) {
  const int target_lpi = VerticalDpi(options.resolution);
  int source_lpi = 0;
  if (source.is_bilevel &&
      IsFaxBitmap(source.bilevel.width, source.x_dpi, source.y_dpi, &source_lpi)) {
    return ConvertLineDensity(source.bilevel, source_lpi, target_lpi);
  }
  GreyImage grey = source.is_bilevel ? BitmapToGrey(source.bilevel) : source.grey;
  if (grey.width <= 0 || grey.height <= 0) return Bitmap::Blank(kFaxPageWidth, 1);

  double x_dpi = source.x_dpi;
  double y_dpi = source.y_dpi;
  if (x_dpi <= 0 || y_dpi <= 0) {
    // Unknown resolution: square pixels, the width fills the page.
    x_dpi = y_dpi = grey.width / (static_cast<double>(kFaxPageWidth) / kFaxHorizontalDpi);
  }
  const int page_rows = PageRows(options.paper, options.resolution);
  double width = grey.width * kFaxHorizontalDpi / x_dpi;
  double height = grey.height * target_lpi / y_dpi;
  const double fit = std::min({1.0, kFaxPageWidth / width, page_rows / height});
  const int w = std::clamp(static_cast<int>(std::lround(width * fit)), 1, kFaxPageWidth);
  const int h = std::clamp(static_cast<int>(std::lround(height * fit)), 1, page_rows);

  LayoutOptions layout = options;
  // A scanned black-and-white page only turns grey through scaling: keep it crisp.
  if (source.is_bilevel && layout.halftoning == Halftoning::kAuto) {
    layout.halftoning = Halftoning::kThreshold;
  }
  return PlaceOnPage(Resample(grey, w, h), layout, /*keep_length=*/false);
}

}  // namespace pbx::fax::internal
