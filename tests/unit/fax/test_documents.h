// Test inputs for the fax document tests, generated on the fly: TIFFs of every kind
// (libtiff), small PDFs written by hand, encrypted PDFs (libqpdf), and readers for the
// TIFF-F output.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lib/fax/documents/bitmap.h"

namespace pbx::fax::testing {

// A fresh directory for this test process, removed at exit.
std::string TempDir();
std::string TempPath(const std::string& name);

// One TIFF directory. For bilevel pages `bilevel` holds the STORED image (1 = black);
// for grey/RGB pages `samples_data` holds 8-bit samples, `samples` per pixel.
struct TiffPage {
  internal::Bitmap bilevel;
  int width = 0;
  int rows = 0;
  int samples = 1;
  int bits = 1;
  std::vector<std::uint8_t> samples_data;
  int compression = 1;  // COMPRESSION_*
  int g3_options = 0;   // GROUP3OPT_*
  int fill_order = 1;   // FILLORDER_*
  int orientation = 1;  // ORIENTATION_*
  int photometric = 0;  // PHOTOMETRIC_MINISWHITE
  float x_dpi = 204;
  float y_dpi = 196;
  int rows_per_strip = 0;  // 0: one strip
};

void WriteTiff(const std::string& path, const std::vector<TiffPage>& pages);
TiffPage BilevelPage(internal::Bitmap stored, float x_dpi, float y_dpi);

// A black rectangle on white.
internal::Bitmap BlockBitmap(int width, int rows, int x0, int y0, int x1, int y1);
// Text-like test pattern: strokes, lines and dots, deterministic.
internal::Bitmap PatternBitmap(int width, int rows, unsigned seed);

// Pages of a TIFF file as bitmaps (min-is-black inverted), with resolution and compression.
struct ReadPage {
  internal::Bitmap bitmap;
  double x_dpi = 0;
  double y_dpi = 0;
  int compression = 0;
};
std::vector<ReadPage> ReadTiff(const std::string& path);

// A PDF with one page per entry: page size in points and PDF content operators.
struct PdfPage {
  double width = 595.28;
  double height = 841.89;
  std::string content;
};
std::string MakePdf(const std::vector<PdfPage>& pages);
// `count` identical blank pages sharing one content stream.
std::string MakeManyPagePdf(int count);
void WriteFile(const std::string& path, const std::string& data);
std::string ReadFile(const std::string& path);

// Re-writes `plain_pdf` encrypted (AES-256, user password "secret").
void EncryptPdf(const std::string& plain_pdf, const std::string& encrypted_pdf);

// No child process of this process is left (running or unreaped).
bool NoChildProcesses();

}  // namespace pbx::fax::testing
