#include "tests/unit/fax/test_documents.h"

#include <sys/wait.h>
#include <tiffio.h>
#include <unistd.h>

#include <qpdf/QPDF.hh>
#include <qpdf/QPDFWriter.hh>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace pbx::fax::testing {
namespace fs = std::filesystem;
using internal::Bitmap;

namespace {
struct TempDirHolder {
  std::string path;
  TempDirHolder() {
    path = (fs::temp_directory_path() / absl::StrCat("pbx-fax-doc-test-", ::getpid())).string();
    fs::create_directories(path);
  }
  ~TempDirHolder() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};
}  // namespace

std::string TempDir() {
  static TempDirHolder holder;
  return holder.path;
}

std::string TempPath(const std::string& name) { return TempDir() + "/" + name; }

Bitmap BlockBitmap(int width, int rows, int x0, int y0, int x1, int y1) {
  Bitmap b = Bitmap::Blank(width, rows);
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) b.set(x, y, true);
  return b;
}

Bitmap PatternBitmap(int width, int rows, unsigned seed) {
  Bitmap b = Bitmap::Blank(width, rows);
  std::mt19937 rng(seed);
  // "Text lines": runs of short strokes of varying length.
  for (int line = 40; line + 30 < rows; line += 60) {
    int x = 60 + static_cast<int>(rng() % 40);
    while (x + 30 < width - 60) {
      const int w = 2 + static_cast<int>(rng() % 12);
      const int h = 10 + static_cast<int>(rng() % 20);
      for (int y = line; y < line + h; ++y)
        for (int dx = 0; dx < w; ++dx) b.set(x + dx, y, true);
      x += w + 3 + static_cast<int>(rng() % 9);
    }
  }
  // A frame and a diagonal.
  for (int x = 20; x < width - 20; ++x) b.set(x, 10, true), b.set(x, rows - 11, true);
  for (int y = 10; y < rows - 10; ++y) b.set(20, y, true), b.set(width - 21, y, true);
  for (int i = 0; i < std::min(width, rows); ++i) b.set(i, i, true);
  return b;
}

TiffPage BilevelPage(Bitmap stored, float x_dpi, float y_dpi) {
  TiffPage page;
  page.width = stored.width;
  page.rows = stored.rows;
  page.bilevel = std::move(stored);
  page.x_dpi = x_dpi;
  page.y_dpi = y_dpi;
  return page;
}

void WriteTiff(const std::string& path, const std::vector<TiffPage>& pages) {
  TIFF* t = TIFFOpen(path.c_str(), "w");
  if (t == nullptr) throw std::runtime_error("cannot create " + path);
  int index = 0;
  for (const TiffPage& p : pages) {
    const bool bilevel = p.bits == 1;
    TIFFSetField(t, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
    TIFFSetField(t, TIFFTAG_IMAGEWIDTH, p.width);
    TIFFSetField(t, TIFFTAG_IMAGELENGTH, p.rows);
    TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, p.bits);
    TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, p.samples);
    TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    TIFFSetField(t, TIFFTAG_COMPRESSION, p.compression);
    if (p.compression == COMPRESSION_CCITTFAX3)
      TIFFSetField(t, TIFFTAG_GROUP3OPTIONS, p.g3_options);
    const int photometric =
        bilevel ? p.photometric : (p.samples == 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK);
    TIFFSetField(t, TIFFTAG_PHOTOMETRIC, photometric);
    TIFFSetField(t, TIFFTAG_FILLORDER, p.fill_order);
    TIFFSetField(t, TIFFTAG_ORIENTATION, p.orientation);
    if (p.x_dpi > 0) {
      TIFFSetField(t, TIFFTAG_XRESOLUTION, p.x_dpi);
      TIFFSetField(t, TIFFTAG_YRESOLUTION, p.y_dpi);
      TIFFSetField(t, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
    }
    const int rps = p.rows_per_strip > 0 ? p.rows_per_strip : p.rows;
    TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, rps);
    TIFFSetField(t, TIFFTAG_PAGENUMBER, index, static_cast<int>(pages.size()));
    const tmsize_t row_bytes = bilevel ? (p.width + 7) / 8 : p.width * p.samples;
    std::vector<std::uint8_t> row(row_bytes);
    for (int y = 0; y < p.rows; ++y) {
      if (bilevel) {
        std::copy(p.bilevel.row(y), p.bilevel.row(y) + row_bytes, row.begin());
        if (p.photometric == PHOTOMETRIC_MINISBLACK) {
          for (auto& byte : row) byte = static_cast<std::uint8_t>(~byte);
        }
      } else {
        std::copy(p.samples_data.begin() + static_cast<std::size_t>(y) * row_bytes,
                  p.samples_data.begin() + static_cast<std::size_t>(y + 1) * row_bytes,
                  row.begin());
      }
      if (TIFFWriteScanline(t, row.data(), y, 0) < 0) throw std::runtime_error("scanline");
    }
    TIFFWriteDirectory(t);
    ++index;
  }
  TIFFClose(t);
}

std::vector<ReadPage> ReadTiff(const std::string& path) {
  std::vector<ReadPage> pages;
  TIFF* t = TIFFOpen(path.c_str(), "r");
  if (t == nullptr) return pages;
  do {
    std::uint32_t w = 0, h = 0;
    std::uint16_t photometric = 0, compression = 0;
    float xr = 0, yr = 0;
    TIFFGetField(t, TIFFTAG_IMAGEWIDTH, &w);
    TIFFGetField(t, TIFFTAG_IMAGELENGTH, &h);
    TIFFGetFieldDefaulted(t, TIFFTAG_PHOTOMETRIC, &photometric);
    TIFFGetFieldDefaulted(t, TIFFTAG_COMPRESSION, &compression);
    TIFFGetField(t, TIFFTAG_XRESOLUTION, &xr);
    TIFFGetField(t, TIFFTAG_YRESOLUTION, &yr);
    ReadPage page;
    page.bitmap = Bitmap::Blank(static_cast<int>(w), static_cast<int>(h));
    page.x_dpi = xr;
    page.y_dpi = yr;
    page.compression = compression;
    for (std::uint32_t y = 0; y < h; ++y) {
      TIFFReadScanline(t, page.bitmap.row(static_cast<int>(y)), y, 0);
    }
    if (photometric == PHOTOMETRIC_MINISBLACK) {
      for (auto& byte : page.bitmap.bits) byte = static_cast<std::uint8_t>(~byte);
    }
    if (w % 8) {
      for (std::uint32_t y = 0; y < h; ++y) {
        page.bitmap.row(static_cast<int>(y))[page.bitmap.stride - 1] &=
            static_cast<std::uint8_t>(0xFF00 >> (w % 8));
      }
    }
    pages.push_back(std::move(page));
  } while (TIFFReadDirectory(t));
  TIFFClose(t);
  return pages;
}

namespace {
// Assembles numbered objects into a PDF with a correct cross-reference table.
std::string AssemblePdf(const std::vector<std::string>& objects) {
  std::string out = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(out.size());
    absl::StrAppend(&out, i + 1, " 0 obj\n", objects[i], "\nendobj\n");
  }
  const std::size_t xref = out.size();
  absl::StrAppend(&out, "xref\n0 ", objects.size() + 1, "\n0000000000 65535 f \n");
  for (std::size_t off : offsets) out += absl::StrFormat("%010d 00000 n \n", off);
  absl::StrAppend(&out, "trailer\n<< /Size ", objects.size() + 1, " /Root 1 0 R >>\nstartxref\n",
                  xref, "\n%%EOF\n");
  return out;
}
}  // namespace

std::string MakePdf(const std::vector<PdfPage>& pages) {
  // 1: catalog, 2: pages, then per page: page object, content stream.
  std::vector<std::string> objects(2);
  std::string kids;
  for (std::size_t i = 0; i < pages.size(); ++i) {
    const std::size_t page_obj = objects.size() + 1;
    absl::StrAppend(&kids, page_obj, " 0 R ");
    objects.push_back(
        absl::StrFormat("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Contents %d 0 R "
                        "/Resources << >> >>",
                        pages[i].width, pages[i].height, page_obj + 1));
    objects.push_back(absl::StrCat("<< /Length ", pages[i].content.size(), " >>\nstream\n",
                                   pages[i].content, "\nendstream"));
  }
  objects[0] = "<< /Type /Catalog /Pages 2 0 R >>";
  objects[1] = absl::StrCat("<< /Type /Pages /Kids [", kids, "] /Count ", pages.size(), " >>");
  return AssemblePdf(objects);
}

std::string MakeManyPagePdf(int count) {
  std::vector<std::string> objects(3);
  std::string kids;
  for (int i = 0; i < count; ++i) {
    absl::StrAppend(&kids, objects.size() + 1, " 0 R ");
    objects.push_back("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R >>");
  }
  objects[0] = "<< /Type /Catalog /Pages 2 0 R >>";
  objects[1] = absl::StrCat("<< /Type /Pages /Kids [", kids, "] /Count ", count, " >>");
  const std::string content = "0 0 m 10 10 l S";
  objects[2] = absl::StrCat("<< /Length ", content.size(), " >>\nstream\n", content, "\nendstream");
  return AssemblePdf(objects);
}

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary);
  out << data;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void EncryptPdf(const std::string& plain_pdf, const std::string& encrypted_pdf) {
  QPDF pdf;
  pdf.processFile(plain_pdf.c_str());
  QPDFWriter writer(pdf, encrypted_pdf.c_str());
  writer.setR6EncryptionParameters("secret", "owner", true, true, true, true, true, true,
                                   qpdf_r3p_full, true);
  writer.write();
}

bool NoChildProcesses() {
  int status = 0;
  return ::waitpid(-1, &status, WNOHANG) == -1 && errno == ECHILD;
}

}  // namespace pbx::fax::testing
