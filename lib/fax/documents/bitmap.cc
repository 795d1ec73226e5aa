#include "lib/fax/documents/bitmap.h"

#include <bit>
#include <utility>

namespace pbx::fax::internal {
namespace {

// Maps a stored pixel (x, y) of a w x h image to its display position for `orientation`.
std::pair<int, int> DisplayPosition(int orientation, int x, int y, int w, int h) {
  switch (orientation) {
    case 2:
      return {w - 1 - x, y};
    case 3:
      return {w - 1 - x, h - 1 - y};
    case 4:
      return {x, h - 1 - y};
    case 5:
      return {y, x};
    case 6:
      return {h - 1 - y, x};
    case 7:
      return {h - 1 - y, w - 1 - x};
    case 8:
      return {y, w - 1 - x};
    default:
      return {x, y};
  }
}

}  // namespace

Bitmap Bitmap::Blank(int width, int rows) {
  Bitmap b;
  b.width = width;
  b.rows = rows;
  b.stride = (width + 7) / 8;
  b.bits.assign(static_cast<std::size_t>(b.stride) * rows, 0);
  return b;
}

std::int64_t Bitmap::blackPixels() const {
  std::int64_t count = 0;
  const int full = width / 8;
  const int rest = width % 8;
  const std::uint8_t rest_mask = static_cast<std::uint8_t>(0xFF00 >> rest);
  for (int y = 0; y < rows; ++y) {
    const std::uint8_t* r = row(y);
    for (int i = 0; i < full; ++i) count += std::popcount(r[i]);
    if (rest) count += std::popcount(static_cast<std::uint8_t>(r[full] & rest_mask));
  }
  return count;
}

double Bitmap::blackFraction() const {
  if (width == 0 || rows == 0) return 0;
  return static_cast<double>(blackPixels()) / (static_cast<double>(width) * rows);
}

GreyImage GreyImage::Filled(int width, int height, std::uint8_t value) {
  GreyImage g;
  g.width = width;
  g.height = height;
  g.pixels.assign(static_cast<std::size_t>(width) * height, value);
  return g;
}

GreyImage BitmapToGrey(const Bitmap& bitmap) {
  GreyImage g = GreyImage::Filled(bitmap.width, bitmap.rows, 255);
  for (int y = 0; y < bitmap.rows; ++y) {
    std::uint8_t* out = g.row(y);
    for (int x = 0; x < bitmap.width; ++x) {
      if (bitmap.get(x, y)) out[x] = 0;
    }
  }
  return g;
}

Bitmap Reorient(const Bitmap& stored, int orientation) {
  if (orientation <= 1 || orientation > 8) return stored;
  const bool t = OrientationTransposes(orientation);
  Bitmap out = Bitmap::Blank(t ? stored.rows : stored.width, t ? stored.width : stored.rows);
  for (int y = 0; y < stored.rows; ++y) {
    for (int x = 0; x < stored.width; ++x) {
      if (!stored.get(x, y)) continue;
      auto [dx, dy] = DisplayPosition(orientation, x, y, stored.width, stored.rows);
      out.set(dx, dy, true);
    }
  }
  return out;
}

GreyImage Reorient(const GreyImage& stored, int orientation) {
  if (orientation <= 1 || orientation > 8) return stored;
  const bool t = OrientationTransposes(orientation);
  GreyImage out =
      GreyImage::Filled(t ? stored.height : stored.width, t ? stored.width : stored.height, 255);
  for (int y = 0; y < stored.height; ++y) {
    const std::uint8_t* in = stored.row(y);
    for (int x = 0; x < stored.width; ++x) {
      auto [dx, dy] = DisplayPosition(orientation, x, y, stored.width, stored.height);
      out.row(dy)[dx] = in[x];
    }
  }
  return out;
}

}  // namespace pbx::fax::internal
