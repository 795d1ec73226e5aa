#include "lib/fax/documents/halftone.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace pbx::fax::internal {
namespace {

constexpr int kThreshold = 128;

Bitmap Threshold(const GreyImage& grey) {
  Bitmap out = Bitmap::Blank(grey.width, grey.height);
  for (int y = 0; y < grey.height; ++y) {
    const std::uint8_t* in = grey.row(y);
    std::uint8_t* bits = out.row(y);
    for (int x = 0; x < grey.width; ++x) {
      if (in[x] < kThreshold) bits[x >> 3] |= static_cast<std::uint8_t>(0x80 >> (x & 7));
    }
  }
  return out;
}

constexpr int kTileShift = 4;
constexpr int kTile = 1 << kTileShift;

// Per tile: true when the tile is continuous tone (see halftone.h), grown by one tile.
struct ToneMask {
  int columns = 0;
  int rows = 0;
  std::vector<char> photo;
  bool any = false;
  const char* row(int y) const {
    return photo.data() + static_cast<std::size_t>(y >> kTileShift) * columns;
  }
  bool at(int x, int y) const { return row(y)[x >> kTileShift]; }
};

ToneMask ClassifyTiles(const GreyImage& grey) {
  ToneMask mask;
  mask.columns = (grey.width + kTile - 1) / kTile;
  mask.rows = (grey.height + kTile - 1) / kTile;
  std::vector<int> midtones(static_cast<std::size_t>(mask.columns) * mask.rows, 0);
  std::vector<int> pixels(midtones.size(), 0);
  for (int y = 0; y < grey.height; ++y) {
    const std::uint8_t* in = grey.row(y);
    int* tile_midtones = midtones.data() + static_cast<std::size_t>(y >> kTileShift) * mask.columns;
    int* tile_pixels = pixels.data() + static_cast<std::size_t>(y >> kTileShift) * mask.columns;
    for (int tx = 0; tx < mask.columns; ++tx) {
      const int x0 = tx << kTileShift;
      const int x1 = std::min(grey.width, x0 + kTile);
      int count = 0;
      for (int x = x0; x < x1; ++x) count += static_cast<unsigned>(in[x] - 16) < 224u;
      tile_midtones[tx] += count;
      tile_pixels[tx] += x1 - x0;
    }
  }
  std::vector<char> core(midtones.size(), 0);
  for (std::size_t t = 0; t < core.size(); ++t) core[t] = 2 * midtones[t] >= pixels[t];
  mask.photo.assign(core.size(), 0);
  for (int ty = 0; ty < mask.rows; ++ty) {
    for (int tx = 0; tx < mask.columns; ++tx) {
      bool any = false;
      for (int dy = -1; dy <= 1 && !any; ++dy) {
        for (int dx = -1; dx <= 1 && !any; ++dx) {
          const int ny = ty + dy, nx = tx + dx;
          any = ny >= 0 && ny < mask.rows && nx >= 0 && nx < mask.columns &&
                core[static_cast<std::size_t>(ny) * mask.columns + nx];
        }
      }
      mask.photo[static_cast<std::size_t>(ty) * mask.columns + tx] = any;
      mask.any = mask.any || any;
    }
  }
  return mask;
}

// Serpentine Floyd-Steinberg; errors carried in two int rows with a one-pixel border.
// With a mask, pixels outside continuous-tone tiles are thresholded and neither take nor
// pass on error.
Bitmap FloydSteinberg(const GreyImage& grey, const ToneMask* mask) {
  Bitmap out = Bitmap::Blank(grey.width, grey.height);
  const int w = grey.width;
  std::vector<int> current(w + 2, 0), next(w + 2, 0);
  for (int y = 0; y < grey.height; ++y) {
    const std::uint8_t* in = grey.row(y);
    const char* tiles = mask != nullptr ? mask->row(y) : nullptr;
    const bool forward = (y % 2) == 0;
    const int step = forward ? 1 : -1;
    for (int i = 0; i < w; ++i) {
      const int x = forward ? i : w - 1 - i;
      if (tiles != nullptr && !tiles[x >> kTileShift]) {
        if (in[x] < kThreshold) out.set(x, y, true);
        continue;
      }
      const int value = in[x] + current[x + 1] / 16;
      const int result = value < kThreshold ? 0 : 255;
      if (result == 0) out.set(x, y, true);
      const int err = value - result;
      current[x + 1 + step] += err * 7;
      next[x + 1 - step] += err * 3;
      next[x + 1] += err * 5;
      next[x + 1 + step] += err * 1;
    }
    std::swap(current, next);
    std::fill(next.begin(), next.end(), 0);
  }
  return out;
}

Bitmap Ordered(const GreyImage& grey) {
  static constexpr int kBayer[8][8] = {
      {0, 32, 8, 40, 2, 34, 10, 42},  {48, 16, 56, 24, 50, 18, 58, 26},
      {12, 44, 4, 36, 14, 46, 6, 38}, {60, 28, 52, 20, 62, 30, 54, 22},
      {3, 35, 11, 43, 1, 33, 9, 41},  {51, 19, 59, 27, 49, 17, 57, 25},
      {15, 47, 7, 39, 13, 45, 5, 37}, {63, 31, 55, 23, 61, 29, 53, 21}};
  Bitmap out = Bitmap::Blank(grey.width, grey.height);
  for (int y = 0; y < grey.height; ++y) {
    const std::uint8_t* in = grey.row(y);
    for (int x = 0; x < grey.width; ++x) {
      const int threshold = kBayer[y & 7][x & 7] * 4 + 2;
      if (in[x] < threshold) out.set(x, y, true);
    }
  }
  return out;
}

}  // namespace

double ContinuousToneShare(const GreyImage& grey) {
  if (grey.pixels.empty()) return 0;
  const ToneMask mask = ClassifyTiles(grey);
  std::int64_t diffused = 0;
  for (int y = 0; y < grey.height; ++y)
    for (int x = 0; x < grey.width; ++x) diffused += mask.at(x, y) ? 1 : 0;
  return static_cast<double>(diffused) / grey.pixels.size();
}

Bitmap Halftone(const GreyImage& grey, Halftoning mode) {
  switch (mode) {
    case Halftoning::kAuto: {
      const ToneMask mask = ClassifyTiles(grey);
      return mask.any ? FloydSteinberg(grey, &mask) : Threshold(grey);
    }
    case Halftoning::kFloydSteinberg:
      return FloydSteinberg(grey, nullptr);
    case Halftoning::kOrdered:
      return Ordered(grey);
    default:
      return Threshold(grey);
  }
}

}  // namespace pbx::fax::internal
