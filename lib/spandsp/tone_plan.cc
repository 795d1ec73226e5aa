#include "lib/spandsp/tone_plan.h"

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <string>

namespace pbx::media::internal {
namespace {

using std::chrono::milliseconds;

constexpr ToneSegment Tone(int f1, int f2, int level, int onMs, int offMs) {
  return ToneSegment{.frequency1 = f1,
                     .frequency2 = f2,
                     .levelDbm0 = level,
                     .on = milliseconds(onMs),
                     .off = milliseconds(offMs)};
}

constexpr ToneSequence Sequence(bool repeat, std::initializer_list<ToneSegment> segments) {
  ToneSequence sequence;
  sequence.repeat = repeat;
  for (const ToneSegment& segment : segments) sequence.segments[sequence.count++] = segment;
  return sequence;
}

constexpr bool kLoop = true;
constexpr bool kOnce = false;

// Index order is CallProgressTone's: dial, ringback, busy, congestion, call waiting,
// confirmation. A continuous tone is one segment with no off time, looped.
constexpr std::array<ToneScheme, 3> kSchemes{{
    {
        .country = "us",
        .name = "United States (precise tone plan)",
        .tones = {{
            Sequence(kLoop, {Tone(350, 440, -13, 1000, 0)}),
            Sequence(kLoop, {Tone(440, 480, -19, 2000, 4000)}),
            Sequence(kLoop, {Tone(480, 620, -24, 500, 500)}),
            Sequence(kLoop, {Tone(480, 620, -24, 250, 250)}),  // reorder
            Sequence(kLoop, {Tone(440, 0, -13, 300, 9700)}),
            Sequence(kOnce, {Tone(350, 440, -13, 100, 100), Tone(350, 440, -13, 100, 100),
                             Tone(350, 440, -13, 100, 100)}),
        }},
    },
    {
        .country = "uk",
        .name = "United Kingdom (BT SIN 350)",
        .tones = {{
            Sequence(kLoop, {Tone(350, 440, -13, 1000, 0)}),
            Sequence(kLoop, {Tone(400, 450, -19, 400, 200), Tone(400, 450, -19, 400, 2000)}),
            Sequence(kLoop, {Tone(400, 0, -13, 375, 375)}),
            // Equipment engaged.
            Sequence(kLoop, {Tone(400, 0, -13, 400, 350), Tone(400, 0, -13, 225, 525)}),
            Sequence(kLoop, {Tone(400, 0, -13, 100, 2000)}),
            Sequence(kOnce, {Tone(1400, 0, -13, 100, 100), Tone(1400, 0, -13, 100, 100),
                             Tone(1400, 0, -13, 100, 100)}),
        }},
    },
    {
        .country = "it",
        .name = "Italy (Telecom Italia)",
        .tones = {{
            Sequence(kLoop, {Tone(425, 0, -13, 200, 200), Tone(425, 0, -13, 600, 1000)}),
            Sequence(kLoop, {Tone(425, 0, -13, 1000, 4000)}),
            Sequence(kLoop, {Tone(425, 0, -13, 500, 500)}),
            Sequence(kLoop, {Tone(425, 0, -13, 200, 200)}),
            Sequence(kLoop, {Tone(425, 0, -13, 400, 100), Tone(425, 0, -13, 250, 100),
                             Tone(425, 0, -13, 150, 14000)}),
            Sequence(kOnce, {Tone(425, 0, -13, 100, 100), Tone(425, 0, -13, 100, 100),
                             Tone(425, 0, -13, 100, 100)}),
        }},
    },
}};

}  // namespace

absl::StatusOr<ToneSequence> ToneSequence::Create(std::span<const ToneSegment> segments,
                                                  bool repeat) {
  if (segments.empty() || segments.size() > kMaxSegments) {
    return absl::InvalidArgumentError("a tone sequence has 1 to 16 segments");
  }
  ToneSequence sequence;
  sequence.repeat = repeat;
  for (const ToneSegment& segment : segments) {
    if (segment.frequency1 < 0 || segment.frequency1 > kMaxFrequency || segment.frequency2 < 0 ||
        segment.frequency2 > kMaxFrequency) {
      return absl::InvalidArgumentError("tone frequencies must be 0..3800 Hz");
    }
    if (segment.levelDbm0 < -60 || segment.levelDbm0 > 0) {
      return absl::InvalidArgumentError("tone level must be -60..0 dBm0");
    }
    if (segment.on.count() < 0 || segment.off.count() < 0 ||
        segment.on.count() + segment.off.count() == 0 ||
        segment.on.count() + segment.off.count() > 600000) {
      return absl::InvalidArgumentError("tone segment times must be 1 ms..10 min");
    }
    sequence.segments[sequence.count++] = segment;
  }
  return sequence;
}

absl::StatusOr<const ToneScheme*> FindToneScheme(std::string_view country) {
  // Lower-cased by hand: this abseil build's string_view is not std::string_view, so its
  // case-insensitive helpers do not take ours.
  std::string code(country);
  std::transform(code.begin(), code.end(), code.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (code == "gb") code = "uk";
  for (const ToneScheme& scheme : kSchemes) {
    if (code == scheme.country) return &scheme;
  }
  return absl::InvalidArgumentError("no call-progress tone plan for this country");
}

}  // namespace pbx::media::internal
