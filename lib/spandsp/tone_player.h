// TonePlayer: plays a call-progress tone or a custom tone sequence (tone_plan.h) into a leg's
// audio, one 20 ms frame per tick, with spandsp's tone generator.
//
//   auto player = TonePlayer::Create();                       // StatusOr<unique_ptr<...>>
//   auto scheme = FindToneScheme("uk");
//   (*player)->play((*scheme)->tone(CallProgressTone::kRingback));
//   // every 20 ms tick:
//   if ((*player)->fill(frame)) { /* frame holds the tone or the cadence's silence */ }
//
// Tones are made at 8 kHz (the telephone band they are defined in) and upsampled to 16 kHz.
// Cadences run to the sample: a looping sequence keeps its timing across frames forever.
//
// Thread-safety: one stream, one thread.
#pragma once

#include <cstddef>
#include <memory>

#include "absl/status/statusor.h"
#include "lib/media/audio/audio_frame.h"
#include "lib/media/audio/resampler.h"
#include "lib/spandsp/tone_plan.h"

struct tone_gen_descriptor_s;
struct tone_gen_state_s;

namespace pbx::media::internal {

class TonePlayer {
 public:
  static absl::StatusOr<std::unique_ptr<TonePlayer>> Create();
  ~TonePlayer();
  TonePlayer(const TonePlayer&) = delete;
  TonePlayer& operator=(const TonePlayer&) = delete;

  // Starts `sequence` from its beginning, replacing whatever was playing.
  void play(const ToneSequence& sequence);
  void stop();
  // A looping sequence plays until stop(); a one-shot one until its last segment ends.
  bool playing() const { return playing_; }
  // Writes this tick's tone (or the cadence's silence) over `frame` and returns true while
  // playing; returns false and leaves `frame` untouched otherwise.
  bool fill(AudioFrame& frame);

 private:
  TonePlayer(tone_gen_descriptor_s* descriptor, tone_gen_state_s* state,
             std::unique_ptr<Resampler> upsampler);
  void startSegment(size_t index);

  tone_gen_descriptor_s* descriptor_;
  tone_gen_state_s* state_;
  std::unique_ptr<Resampler> upsampler_;
  ToneSequence sequence_;
  size_t segment_ = 0;
  size_t remaining_ = 0;  // 8 kHz samples left of the current segment
  bool playing_ = false;
};

}  // namespace pbx::media::internal
