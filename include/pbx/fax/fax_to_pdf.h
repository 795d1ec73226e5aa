// Received faxes as PDF: a TIFF-F file (as written by the fax engine) becomes a PDF whose
// pages embed the CCITT G4 data unchanged, plus a PNG thumbnail of page one for mail and UIs.
//
//   pbx::fax::FaxToPdfOptions options;
//   options.title = "Fax from +49 30 1234567";
//   absl::StatusOr<pbx::fax::FaxToPdfResult> pdf =
//       pbx::fax::ConvertFaxToPdf("/var/spool/fax/in/7.tif", "/tmp/7.pdf", options);
//   absl::Status thumb = pbx::fax::WriteFaxThumbnail("/var/spool/fax/in/7.tif", "/tmp/7.png");
//
// Each PDF page is an /CCITTFaxDecode image (K -1, /Columns = image width) sized from the
// fax resolution: width 1728/204 in, height rows/yres in. Pages already G4-coded in one
// strip are copied byte for byte; G3 or multi-strip pages are decoded and re-coded as G4,
// which is lossless. Nothing is re-rasterised. Blocking; run on a worker thread.
//
// Thread-safety: both functions may run concurrently on several threads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace pbx::fax {

struct FaxToPdfOptions {
  std::string title;                 // PDF /Title; empty leaves it out
  int maxPages = 1000;               // larger inputs are rejected
  std::int64_t maxPageRows = 20000;  // rejects absurd image lengths
};

struct FaxToPdfPage {
  int number = 0;
  int columns = 0;
  int rows = 0;
  double xDpi = 0;
  double yDpi = 0;
  bool copied = false;  // true when the G4 data was embedded without re-coding
};

struct FaxToPdfResult {
  std::vector<FaxToPdfPage> pages;
  std::int64_t outputBytes = 0;
};

absl::StatusOr<FaxToPdfResult> ConvertFaxToPdf(const std::string& tiffPath,
                                               const std::string& pdfPath,
                                               const FaxToPdfOptions& options = {});

// Writes page one of `tiffPath`, scaled to `width` pixels (aspect kept; the fax's
// anisotropic resolution is corrected) with grey anti-aliasing, as an 8-bit grey PNG.
absl::Status WriteFaxThumbnail(const std::string& tiffPath, const std::string& pngPath,
                               int width = 256);

}  // namespace pbx::fax
