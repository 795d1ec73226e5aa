// What the call API asks of a call's media: digits to collect and recordings to make. Prompts
// to play are media::PlayRequest (pbx/media/media_types.h).
//
//   pbx::call::DigitCollection menu{.maxDigits = 1, .firstDigitTimeout = std::chrono::seconds(5)};
//   calls.collectDigits(call, {}, menu, [](absl::StatusOr<CollectedDigits> got) { ... });
//
// Thread-safety: value types.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "pbx/call/call_types.h"
#include "pbx/media/media_types.h"

namespace pbx::call {

struct DigitCollection {
  size_t maxDigits = 1;
  // No digit by then: the collection ends (kTimeout) with nothing.
  std::chrono::milliseconds firstDigitTimeout{5000};
  // No further digit by then: it ends with what it has.
  std::chrono::milliseconds interDigitTimeout{3000};
  // Digits that end the collection at once; they are not part of the result.
  std::string terminators = "#";
};

struct CollectedDigits {
  enum class Reason { kMaxDigits, kTerminator, kTimeout, kLegEnded };
  std::string digits;
  Reason reason = Reason::kTimeout;
  char terminator = 0;  // kTerminator: which one
};

struct RecordingRequest {
  std::string path;  // a WAV file, created or replaced
  media::RecordingMode mode = media::RecordingMode::kStereo;
  // The leg whose "said" (left in stereo) and "heard" (right) the mode means; default: the
  // call's anchor (its caller).
  LegId leg{};
};

}  // namespace pbx::call
