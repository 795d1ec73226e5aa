// The fax header line ("TTI") stamped on top of every outgoing page:
//
//   2026-11-22 12:56  ACME Corp  +49 30 1234567                                 PAGE 1/3
//
//   DrawPageHeader(page, header, absl::Now(), /*page=*/1, /*pages=*/3, /*lines_per_inch=*/196);
//
// The line is drawn with the built-in 5x7 font (10 x 21 pixels per glyph at fine
// resolution, 10 x 14 at standard) into a band at the top of the page that is cleared to
// white first: it overwrites the page's top margin, as fax machines do.
//
// Thread-safety: stateless.
#pragma once

#include <string>

#include "absl/time/time.h"
#include "lib/fax/documents/bitmap.h"
#include "pbx/fax/document_converter.h"

namespace pbx::fax::internal {

// Rows the header band covers at `lines_per_inch`.
int HeaderBandRows(int lines_per_inch);

// The left part of the header: date, station text, sender number.
std::string HeaderLeftText(const FaxHeader& header, absl::Time when);

// Draws `text` with its top-left corner at (x, y); returns the x after the last glyph.
int DrawText(Bitmap& page, int x, int y, const std::string& text, int x_scale, int y_scale);

// Stamps the header on `page`; does nothing when header.text is empty.
void DrawPageHeader(Bitmap& page, const FaxHeader& header, absl::Time when, int page_number,
                    int page_count, int lines_per_inch);

}  // namespace pbx::fax::internal
