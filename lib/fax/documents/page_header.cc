#include "lib/fax/documents/page_header.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "lib/fax/documents/header_font.h"

namespace pbx::fax::internal {
namespace {

constexpr int kXScale = 2;
constexpr int kGlyphAdvance = (kGlyphWidth + 1) * kXScale;
constexpr int kMarginColumns = 48;  // ~6 mm from each edge

int YScale(int lines_per_inch) { return lines_per_inch >= 150 ? 3 : 2; }
int TopGap(int lines_per_inch) { return lines_per_inch >= 150 ? 8 : 4; }

}  // namespace

int HeaderBandRows(int lines_per_inch) {
  return 2 * TopGap(lines_per_inch) + kGlyphHeight * YScale(lines_per_inch);
}

std::string HeaderLeftText(const FaxHeader& header, absl::Time when) {
  std::string text = absl::FormatTime(header.dateFormat, when, header.timeZone);
  absl::StrAppend(&text, "  ", header.text);
  if (!header.senderNumber.empty()) absl::StrAppend(&text, "  ", header.senderNumber);
  return text;
}

int DrawText(Bitmap& page, int x, int y, const std::string& text, int x_scale, int y_scale) {
  for (char c : text) {
    if (x + kGlyphWidth * x_scale > page.width) break;
    const std::uint8_t* rows = GlyphRows(c);
    for (int gy = 0; gy < kGlyphHeight; ++gy) {
      for (int gx = 0; gx < kGlyphWidth; ++gx) {
        if (!((rows[gy] >> (kGlyphWidth - 1 - gx)) & 1)) continue;
        for (int sy = 0; sy < y_scale; ++sy) {
          const int py = y + gy * y_scale + sy;
          if (py < 0 || py >= page.rows) continue;
          for (int sx = 0; sx < x_scale; ++sx) page.set(x + gx * x_scale + sx, py, true);
        }
      }
    }
    x += (kGlyphWidth + 1) * x_scale;
  }
  return x;
}

void DrawPageHeader(Bitmap& page, const FaxHeader& header, absl::Time when, int page_number,
                    int page_count, int lines_per_inch) {
  if (header.text.empty()) return;
  const int band = std::min(HeaderBandRows(lines_per_inch), page.rows);
  std::memset(page.bits.data(), 0, static_cast<std::size_t>(band) * page.stride);

  const int y = TopGap(lines_per_inch);
  const int y_scale = YScale(lines_per_inch);
  const std::string right = absl::StrCat("PAGE ", page_number, "/", page_count);
  const int right_x = page.width - kMarginColumns - static_cast<int>(right.size()) * kGlyphAdvance;
  std::string left = HeaderLeftText(header, when);
  // Keep two blanks between the left text and the page counter.
  const int max_left = std::max(0, (right_x - kMarginColumns) / kGlyphAdvance - 2);
  if (static_cast<int>(left.size()) > max_left) left.resize(max_left);
  DrawText(page, kMarginColumns, y, left, kXScale, y_scale);
  DrawText(page, right_x, y, right, kXScale, y_scale);
}

}  // namespace pbx::fax::internal
