// FeatureMatcher: recognises in-call feature codes (FeatureCodes: "#4", "#8", "*1") in the
// digits one party of a bridged call presses. Digits that cannot begin a code, or come more
// than interDigitTimeout after the one before, start over.
//
//   FeatureMatcher matcher(options.features);
//   if (auto feature = matcher.add('#', now)) ...   // nullopt until a whole code arrived
//
// Thread-safety: a value type (the signaling thread's).
#pragma once

#include <optional>
#include <string>

#include "pbx/base/time_source.h"
#include "pbx/call/call_options.h"

namespace pbx::call {

enum class Feature { kBlindTransfer, kPark, kRecord };

class FeatureMatcher {
 public:
  explicit FeatureMatcher(const FeatureCodes& codes) : codes_(codes) {}
  std::optional<Feature> add(char digit, MonotonicTime now);

 private:
  const FeatureCodes& codes_;
  std::string pressed_;
  MonotonicTime last_{};
};

}  // namespace pbx::call
