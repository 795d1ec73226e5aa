// Halftoning: turns a grey page into the black-and-white bitmap a fax carries.
//
//   Bitmap page = Halftone(grey, Halftoning::kAuto);
//
// kAuto decides per 16x16 tile: a tile where at least half the pixels are grey
// (16..239 of 255) is continuous tone (a photo, a grey fill); such tiles, grown by one tile so
// photo edges are included, get Floyd-Steinberg error diffusion. Every other pixel is text
// or line art, whose grey comes only from anti-aliased edges, and gets a plain threshold,
// which keeps strokes crisp and compresses best. Mixed pages thus get both.
//
// Thread-safety: stateless.
#pragma once

#include "lib/fax/documents/bitmap.h"
#include "pbx/fax/document_converter.h"

namespace pbx::fax::internal {

// The share of pixels kAuto error-diffuses (0: all thresholded, 1: all diffused).
double ContinuousToneShare(const GreyImage& grey);

Bitmap Halftone(const GreyImage& grey, Halftoning mode);

}  // namespace pbx::fax::internal
