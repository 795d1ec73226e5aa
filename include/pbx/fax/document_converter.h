// Document conversion for sending faxes: PDF, TIFF and office documents become one TIFF-F
// file that the fax engine (spandsp 0.0.6) transmits page by page.
//
//   pbx::fax::DocumentConversionOptions options;
//   options.resolution = pbx::fax::FaxResolution::kFine;
//   options.header.text = "ACME Corp";
//   options.header.senderNumber = "+49 30 1234567";
//   absl::StatusOr<pbx::fax::DocumentConversionResult> result =
//       pbx::fax::ConvertDocumentsToFax({"cover.pdf", "scan.tif"}, "/var/spool/fax/1.tif",
//                                       options);
//   if (!result.ok()) return result.status();   // e.g. "encrypted PDF", "too many pages"
//
// Every page of the output is exactly 1728 pixels wide, bilevel, at 204x98 or 204x196 dpi,
// A4 or Letter length (pages that already are fax bitmaps keep their length), G4 or G3
// coded. Each input document is decoded in a forked child process with a deadline and
// memory/CPU limits, so a hostile file costs at most that child: a crash, hang or memory
// blow-up becomes an error Status. The call blocks; run it on a worker thread.
//
// Thread-safety: ConvertDocumentsToFax() may run concurrently on several threads; `time`
// must be readable from the calling thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "pbx/base/time_source.h"
#include "pbx/fax/fax_page_format.h"

namespace pbx::fax {

// The line fax machines print at the top of each page:
//   "2026-11-22 12:56  ACME Corp  +49 30 1234567                         PAGE 1/3"
// Empty `text` turns the header off.
struct FaxHeader {
  std::string text;          // station identification, e.g. the company name
  std::string senderNumber;  // the sending fax number
  absl::TimeZone timeZone = absl::UTCTimeZone();
  std::string dateFormat = "%Y-%m-%d %H:%M";  // absl::FormatTime syntax
};

// How grey and colour content becomes black and white.
enum class Halftoning {
  kAuto,            // per 16x16 tile: threshold for text and line art, Floyd-Steinberg
                    // for photos and grey fills (mixed pages get both)
  kThreshold,       // plain threshold at 50 % grey
  kFloydSteinberg,  // error diffusion: best for photographs
  kOrdered,         // 8x8 Bayer dither: regular pattern, compresses better than diffusion
};

struct DocumentConversionOptions {
  FaxResolution resolution = FaxResolution::kFine;
  PaperSize paper = PaperSize::kA4;
  FaxCompression compression = FaxCompression::kG4;
  Halftoning halftoning = Halftoning::kAuto;
  FaxHeader header;

  // Limits for untrusted input. A document over a limit is rejected with an error Status.
  int maxPages = 100;                         // over all documents together
  std::int64_t maxInputBytes = 64 << 20;      // per input file
  std::int64_t maxImagePixels = 100'000'000;  // per decoded source image (TIFF)
  std::chrono::milliseconds timeout{60'000};  // whole conversion, measured on `time`
  // Address-space limit of each decoder process; 0 for none (ignored in ASan builds).
  std::int64_t maxChildMemoryBytes = 1LL << 30;
  // Runs decoders in a forked child (recommended). false decodes in-process: faster to
  // debug, but a decoder crash then takes the process down.
  bool isolateDecoders = true;
  // PDF pages that are a single full-page CCITT G4 image (as ConvertFaxToPdf writes them)
  // are decoded directly instead of rendered: lossless and faster. false renders them too.
  bool extractFaxImages = true;
  // Path of the LibreOffice `soffice` binary for doc/docx/odt/rtf; empty searches PATH.
  std::string sofficePath;
};

// One page of the output, reported as it is produced.
struct ConvertedPage {
  int number = 0;            // 1-based, over all documents
  std::string source;        // input path
  int sourcePage = 0;        // 1-based page within the source document
  int rows = 0;              // image length in lines (the width is always 1728)
  double blackFraction = 0;  // share of black pixels, a cheap sanity figure
};

struct DocumentConversionResult {
  std::vector<ConvertedPage> pages;
  std::int64_t outputBytes = 0;
};

// Converts `inputs` (in order) into one multi-page TIFF-F at `outputPath` (written to a
// temporary name and renamed, so a failed conversion leaves no partial file). `onPage`, if
// set, is called for each page once the page is final, in order, on the calling thread.
// `time` is the clock for the deadline and the header date.
absl::StatusOr<DocumentConversionResult> ConvertDocumentsToFax(
    const std::vector<std::string>& inputs, const std::string& outputPath,
    const DocumentConversionOptions& options,
    const std::function<void(const ConvertedPage&)>& onPage = nullptr,
    const TimeSource& time = RealTime());

}  // namespace pbx::fax
