// Area-averaging resampler for grey images: every output pixel is the mean of the source
// area it covers, which down-scales without aliasing (thin lines turn grey instead of
// vanishing) and up-scales as a pixel-replicating filter.
//
//   GreyImage fax = Resample(scan, 1728, 2292);
//
// Thread-safety: stateless.
#pragma once

#include "lib/fax/documents/bitmap.h"

namespace pbx::fax::internal {

GreyImage Resample(const GreyImage& source, int width, int height);

}  // namespace pbx::fax::internal
