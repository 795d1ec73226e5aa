// Image buffers used inside document conversion: Bitmap (bilevel, the fax page itself) and
// GreyImage (8-bit, what renderers and decoders produce before halftoning).
//
//   Bitmap page = Bitmap::Blank(kFaxPageWidth, 2292);
//   page.set(10, 20, true);          // black pixel
//   double ink = page.blackFraction();
//
// Thread-safety: plain values; no shared state.
#pragma once

#include <cstdint>
#include <vector>

namespace pbx::fax::internal {

// Rows packed MSB first, a set bit is black (the TIFF "min-is-white" layout).
struct Bitmap {
  int width = 0;
  int rows = 0;
  int stride = 0;  // bytes per row
  std::vector<std::uint8_t> bits;

  static Bitmap Blank(int width, int rows);
  std::uint8_t* row(int y) { return bits.data() + static_cast<std::size_t>(y) * stride; }
  const std::uint8_t* row(int y) const {
    return bits.data() + static_cast<std::size_t>(y) * stride;
  }
  bool get(int x, int y) const { return (row(y)[x >> 3] >> (7 - (x & 7))) & 1; }
  void set(int x, int y, bool black) {
    std::uint8_t mask = static_cast<std::uint8_t>(0x80 >> (x & 7));
    if (black) {
      row(y)[x >> 3] |= mask;
    } else {
      row(y)[x >> 3] &= static_cast<std::uint8_t>(~mask);
    }
  }
  std::int64_t blackPixels() const;
  double blackFraction() const;
  bool operator==(const Bitmap& other) const = default;
};

// 0 is black, 255 is white.
struct GreyImage {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> pixels;

  static GreyImage Filled(int width, int height, std::uint8_t value);
  std::uint8_t* row(int y) { return pixels.data() + static_cast<std::size_t>(y) * width; }
  const std::uint8_t* row(int y) const {
    return pixels.data() + static_cast<std::size_t>(y) * width;
  }
};

GreyImage BitmapToGrey(const Bitmap& bitmap);

// TIFF Orientation tag values 1..8, applied to make row 0 the top and column 0 the left.
Bitmap Reorient(const Bitmap& stored, int orientation);
GreyImage Reorient(const GreyImage& stored, int orientation);
inline bool OrientationTransposes(int orientation) { return orientation >= 5 && orientation <= 8; }

}  // namespace pbx::fax::internal
