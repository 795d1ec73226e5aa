#include "lib/call/feature_codes.h"

#include <array>
#include <utility>

namespace pbx::call {

std::optional<Feature> FeatureMatcher::add(char digit, MonotonicTime now) {
  if (!pressed_.empty() && now - last_ > codes_.interDigitTimeout) pressed_.clear();
  last_ = now;
  pressed_ += digit;
  const std::array<std::pair<const std::string*, Feature>, 3> codes = {{
      {&codes_.blindTransfer, Feature::kBlindTransfer},
      {&codes_.park, Feature::kPark},
      {&codes_.record, Feature::kRecord},
  }};
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool prefix = false;
    for (const auto& [code, feature] : codes) {
      if (code->empty()) continue;
      if (*code == pressed_) {
        pressed_.clear();
        return feature;
      }
      if (code->compare(0, pressed_.size(), pressed_) == 0) prefix = true;
    }
    if (prefix) return std::nullopt;
    // No code starts so: this digit may begin one on its own ("*#4": the # starts "#4").
    pressed_ = std::string(1, digit);
  }
  pressed_.clear();
  return std::nullopt;
}

}  // namespace pbx::call
