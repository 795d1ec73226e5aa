// Fax page geometry shared by document conversion and fax transmission.
//
// A fax page (ITU-T T.4) is 1728 pixels wide at 204 dpi horizontally; vertically it is
// 98 lines per inch ("standard") or 196 ("fine"). Its length follows the paper the sender
// chose (A4 or Letter), or the scanned length for pages that are already fax bitmaps.
//
//   int rows = pbx::fax::PageRows(pbx::fax::PaperSize::kA4, pbx::fax::FaxResolution::kFine);
//   // rows == 2292
//
// Thread-safety: stateless.
#pragma once

namespace pbx::fax {

// Pixels per fax line; spandsp 0.0.6 sends only pages of exactly this width.
inline constexpr int kFaxPageWidth = 1728;
inline constexpr int kFaxHorizontalDpi = 204;

enum class FaxResolution {
  kStandard,  // 204 x 98 dpi
  kFine,      // 204 x 196 dpi
};

enum class PaperSize { kA4, kLetter };

// How pages are coded in the TIFF-F file (all are lossless for the bilevel image).
enum class FaxCompression {
  kG4,     // ITU-T T.6 (MMR): smallest files, what spandsp prefers to read
  kG3_2D,  // T.4 two-dimensional (MR)
  kG3_1D,  // T.4 one-dimensional (MH)
};

inline constexpr int VerticalDpi(FaxResolution resolution) {
  return resolution == FaxResolution::kFine ? 196 : 98;
}

// Rows of a full page: A4 is 297 mm, Letter 11 in.
inline constexpr int PageRows(PaperSize paper, FaxResolution resolution) {
  const double inches = paper == PaperSize::kA4 ? 297.0 / 25.4 : 11.0;
  return static_cast<int>(inches * VerticalDpi(resolution) + 0.5);
}

}  // namespace pbx::fax
