// The built-in 5x7 bitmap font used for fax header lines (printable ASCII only).
//
//   const std::uint8_t* rows = GlyphRows('A');   // 7 rows, bit 4 is the leftmost pixel
//
// Thread-safety: read-only data.
#pragma once

#include <cstdint>

namespace pbx::fax::internal {

inline constexpr int kGlyphWidth = 5;
inline constexpr int kGlyphHeight = 7;

// Rows of `c`, top first; characters outside 32..126 draw as '?'.
const std::uint8_t* GlyphRows(char c);

}  // namespace pbx::fax::internal
