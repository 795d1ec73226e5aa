// Hostile and broken inputs: each must give a clear error Status, within the time limit,
// without crashing the test process or leaving a child process behind.
#include <doctest/doctest.h>
#include <tiffio.h>

#include <filesystem>

#include "pbx/fax/document_converter.h"
#include "pbx/fax/fax_to_pdf.h"
#include "tests/unit/fax/test_documents.h"

namespace pbx::fax {
namespace {
using testing::TempPath;

absl::Status ConvertOne(const std::string& path, DocumentConversionOptions options = {}) {
  if (options.timeout == DocumentConversionOptions{}.timeout) {
    options.timeout = std::chrono::seconds(20);
  }
  const std::string out = path + ".out.tif";
  auto result = ConvertDocumentsToFax({path}, out, options);
  CHECK_FALSE(std::filesystem::exists(out));
  CHECK_FALSE(std::filesystem::exists(out + ".part"));
  CHECK(testing::NoChildProcesses());
  return result.status();
}

bool Mentions(const absl::Status& status, const std::string& text) {
  return std::string(status.message()).find(text) != std::string::npos;
}

std::string SmallPdf() {
  return testing::MakePdf({{595.28, 841.89, "0 0 0 rg 100 100 200 300 re f"},
                           {595.28, 841.89, "0 0 0 rg 10 10 20 30 re f"}});
}

TEST_CASE("a zero-byte file is rejected") {
  const std::string path = TempPath("empty.pdf");
  testing::WriteFile(path, "");
  const absl::Status s = ConvertOne(path);
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK(Mentions(s, "empty"));
  CHECK(Mentions(s, path));
}

TEST_CASE("a missing file is NotFound") {
  CHECK(ConvertOne(TempPath("does-not-exist.pdf")).code() == absl::StatusCode::kNotFound);
}

TEST_CASE("a truncated PDF is rejected") {
  const std::string full = SmallPdf();
  const std::string path = TempPath("truncated.pdf");
  testing::WriteFile(path, full.substr(0, full.size() * 6 / 10));
  const absl::Status s = ConvertOne(path);
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK(Mentions(s, "truncated"));
}

TEST_CASE("garbage behind a PDF header is rejected") {
  std::string junk = "%PDF-1.7\n";
  for (int i = 0; i < 5000; ++i) junk += static_cast<char>((i * 7919) % 251);
  junk += "\n%%EOF\n";
  const std::string path = TempPath("junk.pdf");
  testing::WriteFile(path, junk);
  const absl::Status s = ConvertOne(path);
  CHECK_FALSE(s.ok());
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("an encrypted PDF is rejected as such") {
  const std::string plain = TempPath("plain.pdf");
  testing::WriteFile(plain, SmallPdf());
  const std::string path = TempPath("encrypted.pdf");
  testing::EncryptPdf(plain, path);
  const absl::Status s = ConvertOne(path);
  CHECK(s.code() == absl::StatusCode::kPermissionDenied);
  CHECK(Mentions(s, "encrypted"));
}

TEST_CASE("a 10,000-page PDF hits the page limit quickly") {
  const std::string path = TempPath("10000-pages.pdf");
  testing::WriteFile(path, testing::MakeManyPagePdf(10000));
  DocumentConversionOptions options;
  options.maxPages = 100;
  const absl::Status s = ConvertOne(path, options);
  // ResourceExhausted, not DeadlineExceeded: rejected from the page count, before rendering.
  CHECK(s.code() == absl::StatusCode::kResourceExhausted);
  CHECK(Mentions(s, "10000 pages"));
}

TEST_CASE("the page limit counts across documents") {
  const std::string path = TempPath("two-pages.pdf");
  testing::WriteFile(path, SmallPdf());
  DocumentConversionOptions options;
  options.maxPages = 3;
  auto result = ConvertDocumentsToFax({path, path}, TempPath("limit.out.tif"), options);
  CHECK(result.status().code() == absl::StatusCode::kResourceExhausted);
}

TEST_CASE("a TIFF claiming 100000 x 100000 pixels is rejected before decoding") {
  const std::string path = TempPath("huge.tif");
  TIFF* t = TIFFOpen(path.c_str(), "w");
  REQUIRE(t != nullptr);
  TIFFSetField(t, TIFFTAG_IMAGEWIDTH, 100000);
  TIFFSetField(t, TIFFTAG_IMAGELENGTH, 100000);
  TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 8);
  TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 3);
  TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_RGB);
  TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_DEFLATE);
  TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, 100000);
  char tiny[16] = {0};
  TIFFWriteRawStrip(t, 0, tiny, sizeof(tiny));
  TIFFClose(t);
  const absl::Status s = ConvertOne(path);
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK(Mentions(s, "100000x100000"));
}

TEST_CASE("a TIFF with corrupt G4 data fails cleanly or decodes, never crashes") {
  const std::string path = TempPath("corrupt-g4.tif");
  TIFF* t = TIFFOpen(path.c_str(), "w");
  REQUIRE(t != nullptr);
  TIFFSetField(t, TIFFTAG_IMAGEWIDTH, 1728);
  TIFFSetField(t, TIFFTAG_IMAGELENGTH, 2000);
  TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 1);
  TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_CCITTFAX4);
  TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISWHITE);
  TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, 2000);
  std::string junk(4000, '\0');
  for (std::size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<char>((i * 131) ^ 0x5A);
  TIFFWriteRawStrip(t, 0, junk.data(), static_cast<tmsize_t>(junk.size()));
  TIFFClose(t);
  const std::string out = TempPath("corrupt-g4.out.tif");
  auto result = ConvertDocumentsToFax({path}, out, {});
  CHECK(testing::NoChildProcesses());
  if (!result.ok()) CHECK(Mentions(result.status(), "corrupt"));
}

TEST_CASE("a truncated TIFF is rejected") {
  const std::string full_path = TempPath("full.tif");
  testing::WriteTiff(full_path,
                     {testing::BilevelPage(testing::PatternBitmap(1728, 2000, 1), 204, 196)});
  const std::string data = testing::ReadFile(full_path);
  const std::string path = TempPath("truncated.tif");
  testing::WriteFile(path, data.substr(0, 64));
  CHECK_FALSE(ConvertOne(path).ok());
}

TEST_CASE("files over the size limit are rejected unread") {
  const std::string path = TempPath("big.pdf");
  testing::WriteFile(path, SmallPdf());
  DocumentConversionOptions options;
  options.maxInputBytes = 100;
  const absl::Status s = ConvertOne(path, options);
  CHECK(s.code() == absl::StatusCode::kResourceExhausted);
}

TEST_CASE("conversion stops at its deadline") {
  const std::string path = TempPath("slow.pdf");
  std::vector<testing::PdfPage> pages(60, {595.28, 841.89, "0 0 0 rg 100 100 200 300 re f"});
  testing::WriteFile(path, testing::MakePdf(pages));
  DocumentConversionOptions options;
  options.timeout = std::chrono::milliseconds(300);
  options.maxPages = 100;
  const absl::Status s = ConvertOne(path, options);
  CHECK(s.code() == absl::StatusCode::kDeadlineExceeded);
}

TEST_CASE("a decoder that runs out of memory becomes an error") {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  MESSAGE("SKIPPED: the decoder memory limit is not applied in sanitizer builds");
  return;
#endif
  const std::string path = TempPath("memory.pdf");
  testing::WriteFile(path, SmallPdf());
  DocumentConversionOptions options;
  options.maxChildMemoryBytes = 32 << 20;  // too little for Poppler and a page
  const absl::Status s = ConvertOne(path, options);
  CHECK_FALSE(s.ok());
  MESSAGE("out-of-memory child: " << s.ToString());
}

TEST_CASE("unknown file types and office files without LibreOffice give clear errors") {
  const std::string txt = TempPath("notes.txt");
  testing::WriteFile(txt, "hello");
  const absl::Status s = ConvertOne(txt);
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK(Mentions(s, "unsupported document type"));

  const std::string docx = TempPath("letter.docx");
  testing::WriteFile(docx, std::string("PK\x03\x04", 4) + std::string(100, 'x'));
  DocumentConversionOptions options;
  options.sofficePath = "";
  auto result = ConvertDocumentsToFax({docx}, TempPath("letter.out.tif"), options);
  if (result.status().code() == absl::StatusCode::kFailedPrecondition) {
    CHECK(Mentions(result.status(), "libreoffice-writer-nogui"));
  } else {
    MESSAGE("LibreOffice is installed: " << result.status().ToString());
  }
}

TEST_CASE("topdf rejects what is not a fax") {
  const std::string empty = TempPath("empty.tif");
  testing::WriteFile(empty, "");
  CHECK_FALSE(ConvertFaxToPdf(empty, TempPath("empty.pdf")).ok());
  testing::TiffPage grey;
  grey.width = grey.rows = 10;
  grey.bits = 8;
  grey.samples_data.assign(100, 128);
  const std::string grey_path = TempPath("grey.tif");
  testing::WriteTiff(grey_path, {grey});
  const auto s = ConvertFaxToPdf(grey_path, TempPath("grey.pdf")).status();
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK_FALSE(std::filesystem::exists(TempPath("grey.pdf")));
}

}  // namespace
}  // namespace pbx::fax
