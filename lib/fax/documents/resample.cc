#include "lib/fax/documents/resample.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace pbx::fax::internal {
namespace {

// For one axis: which source samples each output sample covers, and by how much.
struct Tap {
  int first = 0;
  std::vector<float> weights;  // normalised to sum 1
};

std::vector<Tap> MakeTaps(int source_size, int target_size) {
  std::vector<Tap> taps(target_size);
  const double scale = static_cast<double>(source_size) / target_size;
  for (int i = 0; i < target_size; ++i) {
    const double begin = i * scale;
    const double end = std::min<double>(source_size, (i + 1) * scale);
    Tap& tap = taps[i];
    tap.first = std::min(source_size - 1, static_cast<int>(std::floor(begin)));
    double total = 0;
    for (int s = tap.first; s < source_size && s < end; ++s) {
      const double cover = std::min<double>(end, s + 1) - std::max<double>(begin, s);
      if (cover <= 0) break;
      tap.weights.push_back(static_cast<float>(cover));
      total += cover;
    }
    if (tap.weights.empty()) {
      tap.weights.push_back(1.0f);
      total = 1;
    }
    for (float& w : tap.weights) w = static_cast<float>(w / total);
  }
  return taps;
}

}  // namespace

GreyImage Resample(const GreyImage& source, int width, int height) {
  if (source.width == width && source.height == height) return source;
  const std::vector<Tap> xtaps = MakeTaps(source.width, width);
  const std::vector<Tap> ytaps = MakeTaps(source.height, height);

  // Horizontal pass into floats, then vertical pass.
  std::vector<float> horizontal(static_cast<std::size_t>(width) * source.height);
  for (int y = 0; y < source.height; ++y) {
    const std::uint8_t* in = source.row(y);
    float* out = horizontal.data() + static_cast<std::size_t>(y) * width;
    for (int x = 0; x < width; ++x) {
      const Tap& tap = xtaps[x];
      float sum = 0;
      for (std::size_t k = 0; k < tap.weights.size(); ++k)
        sum += tap.weights[k] * in[tap.first + k];
      out[x] = sum;
    }
  }
  GreyImage result = GreyImage::Filled(width, height, 255);
  std::vector<float> acc(width);
  for (int y = 0; y < height; ++y) {
    const Tap& tap = ytaps[y];
    std::fill(acc.begin(), acc.end(), 0.0f);
    for (std::size_t k = 0; k < tap.weights.size(); ++k) {
      const float* in = horizontal.data() + static_cast<std::size_t>(tap.first + k) * width;
      const float w = tap.weights[k];
      for (int x = 0; x < width; ++x) acc[x] += w * in[x];
    }
    std::uint8_t* out = result.row(y);
    for (int x = 0; x < width; ++x) {
      out[x] = static_cast<std::uint8_t>(std::clamp(acc[x] + 0.5f, 0.0f, 255.0f));
    }
  }
  return result;
}

}  // namespace pbx::fax::internal
