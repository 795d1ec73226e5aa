// TIFF inputs of every kind through ConvertDocumentsToFax: compressions, fill orders,
// orientations, photometric interpretations, resolutions, grey and colour, multi-page.
#include <doctest/doctest.h>
#include <tiffio.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "pbx/fax/document_converter.h"
#include "tests/unit/fax/test_documents.h"

namespace pbx::fax {
namespace {
using internal::Bitmap;
using testing::BilevelPage;
using testing::ReadTiff;
using testing::TempPath;
using testing::TiffPage;

DocumentConversionOptions FineOptions() {
  DocumentConversionOptions options;
  options.resolution = FaxResolution::kFine;
  return options;
}

std::vector<testing::ReadPage> Convert(const std::vector<std::string>& inputs,
                                       const DocumentConversionOptions& options,
                                       const std::string& name,
                                       const TimeSource& time = RealTime()) {
  const std::string out = TempPath(name + ".out.tif");
  auto result = ConvertDocumentsToFax(inputs, out, options, nullptr, time);
  REQUIRE_MESSAGE(result.ok(), result.status().ToString());
  auto pages = ReadTiff(out);
  REQUIRE(pages.size() == result->pages.size());
  for (const auto& page : pages) {
    CHECK(page.bitmap.width == kFaxPageWidth);
    CHECK(page.x_dpi == doctest::Approx(204));
    CHECK(page.y_dpi == doctest::Approx(VerticalDpi(options.resolution)));
  }
  return pages;
}

TEST_CASE("fax-resolution bilevel TIFFs of every compression and fill order pass unchanged") {
  const Bitmap source = testing::PatternBitmap(kFaxPageWidth, 2200, 7);
  struct Variant {
    const char* name;
    int compression;
    int g3_options;
  };
  const Variant variants[] = {
      {"none", COMPRESSION_NONE, 0},
      {"g3-1d", COMPRESSION_CCITTFAX3, 0},
      {"g3-1d-fill", COMPRESSION_CCITTFAX3, GROUP3OPT_FILLBITS},
      {"g3-2d", COMPRESSION_CCITTFAX3, GROUP3OPT_2DENCODING},
      {"g4", COMPRESSION_CCITTFAX4, 0},
  };
  for (const Variant& v : variants) {
    for (int fill_order : {FILLORDER_MSB2LSB, FILLORDER_LSB2MSB}) {
      CAPTURE(v.name);
      CAPTURE(fill_order);
      TiffPage page = BilevelPage(source, 204, 196);
      page.compression = v.compression;
      page.g3_options = v.g3_options;
      page.fill_order = fill_order;
      const std::string path =
          TempPath(std::string("cmp-") + v.name + "-" + std::to_string(fill_order) + ".tif");
      testing::WriteTiff(path, {page});
      auto pages = Convert({path}, FineOptions(), std::filesystem::path(path).stem().string());
      REQUIRE(pages.size() == 1);
      CHECK(pages[0].bitmap == source);
    }
  }
}

TEST_CASE("min-is-black TIFFs and multi-strip TIFFs decode to the same page") {
  const Bitmap source = testing::PatternBitmap(kFaxPageWidth, 1100, 11);
  TiffPage page = BilevelPage(source, 204, 98);
  page.photometric = PHOTOMETRIC_MINISBLACK;
  page.compression = COMPRESSION_CCITTFAX4;
  page.rows_per_strip = 128;
  const std::string path = TempPath("minisblack.tif");
  testing::WriteTiff(path, {page});
  DocumentConversionOptions options;
  options.resolution = FaxResolution::kStandard;
  auto pages = Convert({path}, options, "minisblack");
  REQUIRE(pages.size() == 1);
  CHECK(pages[0].bitmap == source);
}

TEST_CASE("standard pages become fine pages and back, keeping their ink") {
  const Bitmap source = testing::PatternBitmap(kFaxPageWidth, 1100, 3);
  const std::string standard = TempPath("standard.tif");
  testing::WriteTiff(standard, {BilevelPage(source, 204, 98)});
  auto fine = Convert({standard}, FineOptions(), "standard-to-fine");
  REQUIRE(fine.size() == 1);
  CHECK(fine[0].bitmap.rows == 2200);
  CHECK(fine[0].bitmap.blackFraction() == doctest::Approx(source.blackFraction()));
  for (int y = 0; y < 2200; y += 97) {
    for (int x = 0; x < kFaxPageWidth; x += 13) {
      REQUIRE(fine[0].bitmap.get(x, y) == source.get(x, y / 2));
    }
  }
  DocumentConversionOptions options;
  options.resolution = FaxResolution::kStandard;
  const std::string fine_path = TempPath("fine-source.tif");
  testing::WriteTiff(fine_path, {BilevelPage(fine[0].bitmap, 204, 196)});
  auto back = Convert({fine_path}, options, "fine-to-standard");
  REQUIRE(back.size() == 1);
  CHECK(back[0].bitmap == source);
}

// A portrait 1728 x 2200 display page whose top-left quadrant is black, stored in each
// TIFF orientation; the stored black block sits where that orientation puts it.
TEST_CASE("every TIFF orientation is turned upright") {
  const int w = kFaxPageWidth, h = 2200;
  for (int orientation = 1; orientation <= 8; ++orientation) {
    CAPTURE(orientation);
    const bool transposed = orientation >= 5;
    const int sw = transposed ? h : w;
    const int sh = transposed ? w : h;
    const int bw = sw / 2, bh = sh / 2;
    // Corner of the stored image that holds the display's top-left corner.
    bool right = false, bottom = false;
    switch (orientation) {
      case 2:
        right = true;
        break;
      case 3:
        right = bottom = true;
        break;
      case 4:
        bottom = true;
        break;
      case 6:
        bottom = true;
        break;
      case 7:
        right = bottom = true;
        break;
      case 8:
        right = true;
        break;
      default:
        break;
    }
    const int x0 = right ? sw - bw : 0;
    const int y0 = bottom ? sh - bh : 0;
    TiffPage page = BilevelPage(testing::BlockBitmap(sw, sh, x0, y0, x0 + bw, y0 + bh),
                                transposed ? 196 : 204, transposed ? 204 : 196);
    page.orientation = orientation;
    page.compression = COMPRESSION_CCITTFAX4;
    const std::string path = TempPath("orientation-" + std::to_string(orientation) + ".tif");
    testing::WriteTiff(path, {page});
    auto pages = Convert({path}, FineOptions(), std::filesystem::path(path).stem().string());
    REQUIRE(pages.size() == 1);
    const Bitmap& out = pages[0].bitmap;
    CHECK(out.rows == h);
    CHECK(out == testing::BlockBitmap(w, h, 0, 0, w / 2, h / 2));
  }
}

TEST_CASE("a 300 dpi A4 scan is scaled onto the fax page with its ink preserved") {
  const Bitmap source = testing::BlockBitmap(2480, 3508, 400, 500, 1600, 2000);
  TiffPage page = BilevelPage(source, 300, 300);
  page.compression = COMPRESSION_CCITTFAX4;
  const std::string path = TempPath("scan300.tif");
  testing::WriteTiff(path, {page});
  auto pages = Convert({path}, FineOptions(), "scan300");
  REQUIRE(pages.size() == 1);
  CHECK(pages[0].bitmap.rows == PageRows(PaperSize::kA4, FaxResolution::kFine));
  // Same physical area: 4 x 5 in of black = 816 x 980 pixels at 204 x 196.
  const double expected = (1200.0 / 300 * 204) * (1500.0 / 300 * 196);
  CHECK(pages[0].bitmap.blackPixels() == doctest::Approx(expected).epsilon(0.01));
}

TEST_CASE("grey and colour TIFFs are halftoned to the right density") {
  const int w = 800, h = 1000;
  TiffPage grey;
  grey.width = w;
  grey.rows = h;
  grey.bits = 8;
  grey.samples = 1;
  grey.x_dpi = grey.y_dpi = 100;
  grey.compression = COMPRESSION_LZW;
  grey.samples_data.resize(static_cast<std::size_t>(w) * h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      grey.samples_data[y * w + x] = static_cast<std::uint8_t>(x * 255 / (w - 1));
  TiffPage colour = grey;
  colour.samples = 3;
  colour.compression = COMPRESSION_NONE;
  colour.samples_data.assign(static_cast<std::size_t>(w) * h * 3, 255);
  for (int y = 0; y < h / 2; ++y)
    for (int x = 0; x < w; ++x) {  // top half pure red (luma 76: dark), bottom white
      colour.samples_data[(y * w + x) * 3 + 1] = 0;
      colour.samples_data[(y * w + x) * 3 + 2] = 0;
    }
  const std::string path = TempPath("grey-colour.tif");
  testing::WriteTiff(path, {grey, colour});
  auto pages = Convert({path}, FineOptions(), "grey-colour");
  REQUIRE(pages.size() == 2);
  // The gradient (8 x 10 in at 100 dpi) fills 1632 x 1960 of the page; half of it is black.
  const double area = (8.0 * 204) * (10.0 * 196);
  const double page_area = kFaxPageWidth * 2292.0;
  CHECK(pages[0].bitmap.blackFraction() == doctest::Approx(0.5 * area / page_area).epsilon(0.05));
  // Red is luma 76 of 255: dithered to ~70 % black over the top half.
  CHECK(pages[1].bitmap.blackFraction() ==
        doctest::Approx((1 - 76.0 / 255) * 0.5 * area / page_area).epsilon(0.05));
}

TEST_CASE("multi-page TIFFs and several documents concatenate in order") {
  std::vector<TiffPage> doc1, doc2;
  for (int i = 0; i < 3; ++i) {
    TiffPage p =
        BilevelPage(testing::BlockBitmap(kFaxPageWidth, 1000, 0, 0, 100 * (i + 1), 100), 204, 196);
    p.compression = i == 1 ? COMPRESSION_CCITTFAX3 : COMPRESSION_CCITTFAX4;
    doc1.push_back(p);
  }
  doc2.push_back(BilevelPage(testing::BlockBitmap(kFaxPageWidth, 500, 0, 0, 500, 100), 204, 98));
  const std::string a = TempPath("multi-a.tif"), b = TempPath("multi-b.tif");
  testing::WriteTiff(a, doc1);
  testing::WriteTiff(b, doc2);
  std::vector<int> reported;
  auto result =
      ConvertDocumentsToFax({a, b}, TempPath("multi.out.tif"), FineOptions(),
                            [&](const ConvertedPage& p) { reported.push_back(p.number); });
  REQUIRE(result.ok());
  CHECK(reported == std::vector<int>{1, 2, 3, 4});
  CHECK(result->pages[3].source == b);
  CHECK(result->pages[3].sourcePage == 1);
  auto pages = ReadTiff(TempPath("multi.out.tif"));
  REQUIRE(pages.size() == 4);
  for (int i = 0; i < 3; ++i) CHECK(pages[i].bitmap.blackPixels() == 100 * (i + 1) * 100);
  CHECK(pages[3].bitmap.rows == 1000);
  CHECK(pages[3].bitmap.blackPixels() == 500 * 200);
}

TEST_CASE("output compression can be G4, G3 2-D or G3 1-D") {
  const Bitmap source = testing::PatternBitmap(kFaxPageWidth, 1200, 5);
  const std::string path = TempPath("for-compression.tif");
  testing::WriteTiff(path, {BilevelPage(source, 204, 196)});
  for (FaxCompression c : {FaxCompression::kG4, FaxCompression::kG3_2D, FaxCompression::kG3_1D}) {
    DocumentConversionOptions options = FineOptions();
    options.compression = c;
    auto pages = Convert({path}, options, "compression-" + std::to_string(static_cast<int>(c)));
    REQUIRE(pages.size() == 1);
    CHECK(pages[0].compression ==
          (c == FaxCompression::kG4 ? COMPRESSION_CCITTFAX4 : COMPRESSION_CCITTFAX3));
    CHECK(pages[0].bitmap == source);
  }
}

TEST_CASE("the header line carries date, station, number and page count") {
  const std::string path = TempPath("blank.tif");
  testing::WriteTiff(path, {BilevelPage(Bitmap::Blank(kFaxPageWidth, 2292), 204, 196),
                            BilevelPage(Bitmap::Blank(kFaxPageWidth, 2292), 204, 196)});
  SimulatedTimeSource time;
  DocumentConversionOptions options = FineOptions();
  auto without = Convert({path}, options, "no-header", time);
  CHECK(without[0].bitmap.blackPixels() == 0);

  options.header.text = "ACME Corp";
  options.header.senderNumber = "+49 30 1234567";
  auto with = Convert({path}, options, "header", time);
  REQUIRE(with.size() == 2);
  for (const auto& page : with) {
    const std::int64_t ink = page.bitmap.blackPixels();
    CHECK(ink > 1000);
    // All of it in the band at the top.
    Bitmap band_only = page.bitmap;
    std::fill(band_only.bits.begin() + 40 * band_only.stride, band_only.bits.end(), 0);
    CHECK(band_only.blackPixels() == ink);
  }
  CHECK(with[0].bitmap != with[1].bitmap);  // "PAGE 1/2" vs "PAGE 2/2"
}

}  // namespace
}  // namespace pbx::fax
