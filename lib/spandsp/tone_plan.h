// Call-progress tones: the tone sequences a caller hears (dial, ringback, busy, congestion,
// call waiting, confirmation) and the national tone plans that define them, plus the custom
// sequence form the call API offers ("play this tone sequence"). TonePlayer plays them.
//
//   auto scheme = FindToneScheme("it");                     // StatusOr<const ToneScheme*>
//   const ToneSequence& ringback = (*scheme)->tone(CallProgressTone::kRingback);
//   std::vector<ToneSegment> segments{{.frequency1 = 1000, .on = 200ms, .off = 800ms}};
//   auto beeps = ToneSequence::Create(segments, /*repeat=*/false);   // StatusOr<ToneSequence>
//
// Figures are the public national plans as summarised in ITU-T E.180 Supplement 2 (US: the
// "precise tone plan"; UK: BT SIN 350; Italy: the Telecom Italia plan), written from those
// documents. A sequence is a fixed array so copying one into a player allocates nothing.
//
// Thread-safety: value types; the scheme table is immutable.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <span>
#include <string_view>

#include "absl/status/statusor.h"

namespace pbx::media::internal {

enum class CallProgressTone { kDial, kRingback, kBusy, kCongestion, kCallWaiting, kConfirmation };
inline constexpr size_t kCallProgressToneCount = 6;

// One step of a cadence: the tone for `on`, then silence for `off`.
struct ToneSegment {
  int frequency1 = 0;   // Hz; 0 makes the segment silent
  int frequency2 = 0;   // Hz; 0 for a single-frequency tone
  int levelDbm0 = -13;  // per frequency
  std::chrono::milliseconds on{0};
  std::chrono::milliseconds off{0};
};

struct ToneSequence {
  static constexpr size_t kMaxSegments = 16;
  // Highest frequency the 8 kHz generator represents with margin below Nyquist.
  static constexpr int kMaxFrequency = 3800;

  // InvalidArgument for no or too many segments, a frequency outside 0..kMaxFrequency, a level
  // outside -60..0 dBm0, negative times, or a segment with neither tone nor silence.
  static absl::StatusOr<ToneSequence> Create(std::span<const ToneSegment> segments, bool repeat);

  std::array<ToneSegment, kMaxSegments> segments{};
  size_t count = 0;
  bool repeat = false;  // loop the segments until stopped; otherwise play them once
};

// One country's tone plan.
struct ToneScheme {
  std::string_view country;  // lower-case code: "it", "uk", "us"
  std::string_view name;
  std::array<ToneSequence, kCallProgressToneCount> tones;

  const ToneSequence& tone(CallProgressTone which) const {
    return tones[static_cast<size_t>(which)];
  }
};

// Case-insensitive; "gb" is accepted for "uk". InvalidArgument for a country without a plan.
absl::StatusOr<const ToneScheme*> FindToneScheme(std::string_view country);

}  // namespace pbx::media::internal
