// PDF inputs (rendered with Poppler in the sandboxed child), received faxes to PDF, the
// thumbnail, and the ITU test charts' TIFF -> PDF -> TIFF round trip.
#include <doctest/doctest.h>
#include <tiffio.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_format.h"
#include "pbx/fax/document_converter.h"
#include "pbx/fax/fax_to_pdf.h"
#include "tests/unit/fax/test_documents.h"

namespace pbx::fax {
namespace {
using internal::Bitmap;
using testing::PdfPage;
using testing::ReadTiff;
using testing::TempPath;
namespace fs = std::filesystem;

// A page with a black w x h pt rectangle at (x, y).
PdfPage RectPage(double page_w, double page_h, double x, double y, double w, double h) {
  return {page_w, page_h, absl::StrFormat("0 0 0 rg %.2f %.2f %.2f %.2f re f", x, y, w, h)};
}

// Black pixels a rectangle of `area_pt2` covers when the page is scaled by `fit`.
double ExpectedPixels(double area_pt2, double fit, int lpi) {
  return area_pt2 * (204.0 / 72) * (lpi / 72.0) * fit * fit;
}

TEST_CASE("PDF pages are rendered at fax resolution with their ink preserved") {
  const std::string path = TempPath("rects.pdf");
  testing::WriteFile(path, testing::MakePdf({
                               RectPage(595.28, 841.89, 100, 100, 200, 300),  // A4
                               RectPage(612, 792, 50, 400, 400, 100),         // Letter
                               RectPage(842, 595, 100, 100, 300, 200),        // A4 landscape
                           }));
  for (FaxResolution res : {FaxResolution::kFine, FaxResolution::kStandard}) {
    DocumentConversionOptions options;
    options.resolution = res;
    const int lpi = VerticalDpi(res);
    const std::string out = TempPath("rects.out.tif");
    auto result = ConvertDocumentsToFax({path}, out, options);
    REQUIRE_MESSAGE(result.ok(), result.status().ToString());
    auto pages = ReadTiff(out);
    REQUIRE(pages.size() == 3);
    for (const auto& page : pages) {
      CHECK(page.bitmap.width == kFaxPageWidth);
      CHECK(page.bitmap.rows == PageRows(PaperSize::kA4, res));
      CHECK(page.y_dpi == lpi);
    }
    const double a4_fit = std::min(kFaxPageWidth / (595.28 / 72 * 204), 1.0);
    const double letter_fit = std::min(kFaxPageWidth / (612.0 / 72 * 204),
                                       PageRows(PaperSize::kA4, res) / (792.0 / 72 * lpi));
    CHECK(pages[0].bitmap.blackPixels() ==
          doctest::Approx(ExpectedPixels(200 * 300, a4_fit, lpi)).epsilon(0.02));
    CHECK(pages[1].bitmap.blackPixels() ==
          doctest::Approx(ExpectedPixels(400 * 100, letter_fit, lpi)).epsilon(0.02));
    CHECK(pages[2].bitmap.blackPixels() ==
          doctest::Approx(ExpectedPixels(300 * 200, a4_fit, lpi)).epsilon(0.02));
    // The landscape page is turned: its rectangle now lies in the left half... or right;
    // either way the page is portrait and the rectangle is taller than wide.
  }
}

TEST_CASE("Letter paper gives Letter-length pages") {
  const std::string path = TempPath("letter.pdf");
  testing::WriteFile(path, testing::MakePdf({RectPage(612, 792, 0, 0, 612, 396)}));
  DocumentConversionOptions options;
  options.paper = PaperSize::kLetter;
  auto result = ConvertDocumentsToFax({path}, TempPath("letter.out.tif"), options);
  REQUIRE(result.ok());
  auto pages = ReadTiff(TempPath("letter.out.tif"));
  REQUIRE(pages.size() == 1);
  CHECK(pages[0].bitmap.rows == 2156);
  CHECK(pages[0].bitmap.blackFraction() == doctest::Approx(0.5 * 0.9965).epsilon(0.02));
}

TEST_CASE("PDFs and TIFFs mix in one fax") {
  const std::string pdf = TempPath("mix.pdf");
  testing::WriteFile(pdf, testing::MakePdf({RectPage(595.28, 841.89, 0, 0, 10, 10),
                                            RectPage(595.28, 841.89, 0, 0, 20, 20)}));
  const std::string tif = TempPath("mix.tif");
  testing::WriteTiff(tif, {testing::BilevelPage(Bitmap::Blank(kFaxPageWidth, 2292), 204, 196)});
  auto result = ConvertDocumentsToFax({pdf, tif, pdf}, TempPath("mix.out.tif"), {});
  REQUIRE(result.ok());
  CHECK(result->pages.size() == 5);
  CHECK(ReadTiff(TempPath("mix.out.tif")).size() == 5);
}

TEST_CASE("a received fax becomes a PDF of G4 images, and converts back pixel for pixel") {
  const Bitmap page1 = testing::PatternBitmap(kFaxPageWidth, 2292, 21);
  const Bitmap page2 = testing::PatternBitmap(kFaxPageWidth, 1146, 22);
  testing::TiffPage p1 = testing::BilevelPage(page1, 204, 196);
  p1.compression = COMPRESSION_CCITTFAX4;
  testing::TiffPage p2 = testing::BilevelPage(page2, 204, 98);
  p2.compression = COMPRESSION_CCITTFAX3;
  p2.fill_order = FILLORDER_LSB2MSB;
  const std::string tif = TempPath("received.tif");
  testing::WriteTiff(tif, {p1, p2});

  auto pdf = ConvertFaxToPdf(tif, TempPath("received.pdf"), {.title = "Fax from 1234"});
  REQUIRE_MESSAGE(pdf.ok(), pdf.status().ToString());
  REQUIRE(pdf->pages.size() == 2);
  CHECK(pdf->pages[0].copied);
  CHECK_FALSE(pdf->pages[1].copied);
  const std::string text = testing::ReadFile(TempPath("received.pdf"));
  CHECK(text.find("/CCITTFaxDecode") != std::string::npos);
  CHECK(text.find("/K -1") != std::string::npos);
  CHECK(text.find("/Columns 1728") != std::string::npos);
  // Page 2 is standard resolution: 1146 rows at 98 lpi = 11.69 in = 842 pt.
  CHECK(text.find("0 0 609.8824 841.9592") != std::string::npos);

  DocumentConversionOptions fine;
  auto back = ConvertDocumentsToFax({TempPath("received.pdf")}, TempPath("back.tif"), fine);
  REQUIRE_MESSAGE(back.ok(), back.status().ToString());
  auto pages = ReadTiff(TempPath("back.tif"));
  REQUIRE(pages.size() == 2);
  CHECK(pages[0].bitmap == page1);
  CHECK(pages[1].bitmap.rows == 2292);
  CHECK(pages[1].bitmap.blackFraction() == doctest::Approx(page2.blackFraction()).epsilon(0.01));

  REQUIRE(WriteFaxThumbnail(tif, TempPath("received.png"), 200).ok());
  const std::string png = testing::ReadFile(TempPath("received.png"));
  REQUIRE(png.size() > 100);
  CHECK(png.substr(1, 3) == "PNG");
}

TEST_CASE("ITU test charts survive TIFF -> PDF -> TIFF pixel for pixel") {
  const char* override_dir = std::getenv("PBX_TESTDATA");
  const fs::path dir =
      fs::path(override_dir != nullptr ? override_dir : PBX_TESTDATA) / "fax" / "itu";
  if (!fs::is_directory(dir)) {
    std::printf("SKIPPED: ITU fax test charts not found at %s\n", dir.c_str());
    MESSAGE("SKIPPED: ITU fax test charts not found at " << dir.string());
    return;
  }
  int files = 0, total_pages = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string ext = entry.path().extension().string();
    if (ext != ".tif" && ext != ".tiff") continue;
    CAPTURE(entry.path().string());
    const auto source = ReadTiff(entry.path().string());
    REQUIRE(!source.empty());
    const std::string pdf = TempPath(entry.path().stem().string() + ".pdf");
    auto to_pdf = ConvertFaxToPdf(entry.path().string(), pdf);
    REQUIRE_MESSAGE(to_pdf.ok(), to_pdf.status().ToString());
    DocumentConversionOptions options;  // fine, no header
    options.maxPages = 1000;
    const std::string back = TempPath(entry.path().stem().string() + ".back.tif");
    auto result = ConvertDocumentsToFax({pdf}, back, options);
    REQUIRE_MESSAGE(result.ok(), result.status().ToString());
    const auto pages = ReadTiff(back);
    REQUIRE(pages.size() == source.size());
    for (std::size_t i = 0; i < pages.size(); ++i) {
      CAPTURE(i);
      REQUIRE(pages[i].bitmap == source[i].bitmap);
    }
    ++files;
    total_pages += static_cast<int>(pages.size());
  }
  MESSAGE("ITU round trip: " << files << " files, " << total_pages
                             << " pages, every page identical");
  CHECK(files > 0);
}

}  // namespace
}  // namespace pbx::fax
