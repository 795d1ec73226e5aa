// The pieces of document conversion: halftoning, resampling, page layout, the header
// font and line, and document type detection.
#include <doctest/doctest.h>

#include <cstring>

#include "absl/time/time.h"
#include "lib/fax/documents/document_decoder.h"
#include "lib/fax/documents/halftone.h"
#include "lib/fax/documents/header_font.h"
#include "lib/fax/documents/page_header.h"
#include "lib/fax/documents/page_layout.h"
#include "lib/fax/documents/resample.h"

namespace pbx::fax::internal {
namespace {

GreyImage Gradient(int w, int h) {
  GreyImage g = GreyImage::Filled(w, h, 255);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) g.row(y)[x] = static_cast<std::uint8_t>(x * 255 / (w - 1));
  return g;
}

TEST_CASE("auto halftoning thresholds text and diffuses photographs") {
  GreyImage text = GreyImage::Filled(400, 400, 255);
  for (int y = 100; y < 110; ++y)
    for (int x = 50; x < 350; ++x) text.row(y)[x] = 0;
  for (int x = 50; x < 350; ++x) text.row(110)[x] = 128;  // an anti-aliased edge
  CHECK(ContinuousToneShare(text) == 0);
  CHECK(Halftone(text, Halftoning::kAuto) == Halftone(text, Halftoning::kThreshold));
  CHECK(ContinuousToneShare(Gradient(400, 400)) > 0.5);
}

TEST_CASE("auto halftoning dithers a grey fill on a text page and thresholds the text") {
  GreyImage page = GreyImage::Filled(800, 800, 255);
  for (int y = 100; y < 110; ++y)
    for (int x = 50; x < 750; ++x) page.row(y)[x] = 0;  // a text-like bar
  for (int y = 400; y < 600; ++y)
    for (int x = 200; x < 600; ++x) page.row(y)[x] = 128;  // a 50 % grey box
  const Bitmap out = Halftone(page, Halftoning::kAuto);
  int box_black = 0;
  for (int y = 400; y < 600; ++y)
    for (int x = 200; x < 600; ++x) box_black += out.get(x, y);
  CHECK(box_black / (400.0 * 200) == doctest::Approx(0.5).epsilon(0.03));
  int bar_black = 0;
  for (int y = 100; y < 110; ++y)
    for (int x = 50; x < 750; ++x) bar_black += out.get(x, y);
  CHECK(bar_black == 700 * 10);
  CHECK(out.blackPixels() == bar_black + box_black);
}

TEST_CASE("each halftoning keeps the grey level as black density") {
  const GreyImage grey = GreyImage::Filled(256, 256, 64);  // 75 % dark
  CHECK(Halftone(grey, Halftoning::kFloydSteinberg).blackFraction() ==
        doctest::Approx(0.75).epsilon(0.02));
  CHECK(Halftone(grey, Halftoning::kOrdered).blackFraction() ==
        doctest::Approx(0.75).epsilon(0.02));
  CHECK(Halftone(grey, Halftoning::kThreshold).blackFraction() == 1.0);
  CHECK(Halftone(Gradient(512, 64), Halftoning::kFloydSteinberg).blackFraction() ==
        doctest::Approx(0.5).epsilon(0.02));
}

TEST_CASE("area resampling keeps the mean grey") {
  GreyImage checker = GreyImage::Filled(300, 300, 255);
  for (int y = 0; y < 300; ++y)
    for (int x = 0; x < 300; ++x)
      if ((x + y) % 2 == 0) checker.row(y)[x] = 0;
  const GreyImage small = Resample(checker, 97, 53);
  CHECK(small.width == 97);
  CHECK(small.height == 53);
  double sum = 0;
  for (auto v : small.pixels) sum += v;
  CHECK(sum / small.pixels.size() == doctest::Approx(127.5).epsilon(0.02));
  const GreyImage big = Resample(checker, 600, 600);
  CHECK(big.row(0)[0] == 0);
  CHECK(big.row(0)[2] == 255);
}

TEST_CASE("line density conversion keeps thin strokes") {
  Bitmap fine = Bitmap::Blank(64, 4);
  fine.set(3, 1, true);  // one-line stroke in an odd row
  const Bitmap standard = ConvertLineDensity(fine, 196, 98);
  CHECK(standard.rows == 2);
  CHECK(standard.get(3, 0));
  const Bitmap doubled = ConvertLineDensity(standard, 98, 196);
  CHECK(doubled.rows == 4);
  CHECK(doubled.get(3, 0));
  CHECK(doubled.get(3, 1));
}

TEST_CASE("fax bitmaps are recognised by width and resolution") {
  int lpi = 0;
  CHECK(IsFaxBitmap(1728, 204, 196, &lpi));
  CHECK(lpi == 196);
  CHECK(IsFaxBitmap(1728, 200, 100, &lpi));
  CHECK(lpi == 98);
  CHECK_FALSE(IsFaxBitmap(1728, 300, 300, &lpi));
  CHECK_FALSE(IsFaxBitmap(2480, 204, 196, &lpi));
}

TEST_CASE("a small image is placed at its physical size, centred") {
  SourceImage source;
  source.is_bilevel = true;
  source.bilevel = Bitmap::Blank(204, 196);
  for (int y = 0; y < 196; ++y)
    for (int x = 0; x < 204; ++x) source.bilevel.set(x, y, true);
  source.x_dpi = 204;
  source.y_dpi = 196;
  LayoutOptions options;
  const Bitmap page = LayoutPage(source, options);
  CHECK(page.width == kFaxPageWidth);
  CHECK(page.rows == 2292);
  CHECK(page.blackPixels() == 204 * 196);
  CHECK(page.get(kFaxPageWidth / 2, 2292 / 2));
  CHECK_FALSE(page.get(10, 10));
}

TEST_CASE("the font covers printable ASCII with distinct glyphs") {
  for (char c = 33; c < 127; ++c) {
    const std::uint8_t* rows = GlyphRows(c);
    int ink = 0;
    for (int y = 0; y < kGlyphHeight; ++y) {
      CHECK((rows[y] & ~0x1F) == 0);
      ink += rows[y] != 0;
    }
    CHECK_MESSAGE(ink > 0, "glyph for '" << c << "' is empty");
    for (char d = 33; d < c; ++d) {
      CHECK_MESSAGE(std::memcmp(GlyphRows(c), GlyphRows(d), kGlyphHeight) != 0,
                    "'" << c << "' and '" << d << "' look the same");
    }
  }
  CHECK(GlyphRows('\x01') == GlyphRows('?'));
}

TEST_CASE("the header text has date, station and number; the line fits the page") {
  FaxHeader header;
  header.text = "ACME Corp";
  header.senderNumber = "+49 30 1234567";
  const absl::Time when = absl::FromUnixSeconds(1767225600);  // 2026-01-01 00:00 UTC
  CHECK(HeaderLeftText(header, when) == "2026-01-01 00:00  ACME Corp  +49 30 1234567");
  Bitmap page = Bitmap::Blank(kFaxPageWidth, 2292);
  for (auto& b : page.bits) b = 0xFF;   // the band is cleared before drawing
  header.text = std::string(300, 'W');  // far too long: truncated, page counter kept
  DrawPageHeader(page, header, when, 12, 34, 196);
  const int band = HeaderBandRows(196);
  CHECK(band < 60);
  Bitmap band_part = page;
  band_part.bits.resize(static_cast<std::size_t>(band) * page.stride);
  band_part.rows = band;
  CHECK(band_part.blackFraction() > 0.01);
  CHECK(band_part.blackFraction() < 0.5);
  CHECK(page.get(0, band));  // below the band the page is untouched
}

TEST_CASE("document types are detected from content") {
  CHECK(*DetectDocumentType("x.bin", "%PDF-1.4\n") == DocumentType::kPdf);
  CHECK(*DetectDocumentType("x", std::string("II*\0", 4)) == DocumentType::kTiff);
  CHECK(*DetectDocumentType("x", std::string("MM\0*", 4)) == DocumentType::kTiff);
  CHECK(*DetectDocumentType("a.DOCX", "PK\x03\x04rest") == DocumentType::kOffice);
  CHECK(*DetectDocumentType("a.odt", "PK\x03\x04rest") == DocumentType::kOffice);
  CHECK(*DetectDocumentType("a.doc", "\xD0\xCF\x11\xE0rest") == DocumentType::kOffice);
  CHECK_FALSE(DetectDocumentType("a.pdf", "hello").ok());
  CHECK_FALSE(DetectDocumentType("a.zip", "PK\x03\x04rest").ok());
}

}  // namespace
}  // namespace pbx::fax::internal
