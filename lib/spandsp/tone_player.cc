#include "lib/spandsp/tone_player.h"

#include <algorithm>
#include <array>
#include <limits>

extern "C" {
#include <spandsp.h>
}

namespace pbx::media::internal {
namespace {

constexpr int kToneRate = 8000;
constexpr size_t kNarrowSamples = kFrameSamples / 2;

}  // namespace

absl::StatusOr<std::unique_ptr<TonePlayer>> TonePlayer::Create() {
  auto upsampler = Resampler::Create(kToneRate, kGraphRate);
  if (!upsampler.ok()) return upsampler.status();
  // One descriptor and one state, re-initialised in place for each segment: playing allocates
  // nothing.
  tone_gen_descriptor_t* descriptor =
      tone_gen_descriptor_init(nullptr, 425, -13, 0, 0, 1, 0, 0, 0, 0);
  if (descriptor == nullptr) return absl::InternalError("tone_gen_descriptor_init failed");
  tone_gen_state_t* state = tone_gen_init(nullptr, descriptor);
  if (state == nullptr) {
    tone_gen_descriptor_free(descriptor);
    return absl::InternalError("tone_gen_init failed");
  }
  return std::unique_ptr<TonePlayer>(new TonePlayer(descriptor, state, std::move(*upsampler)));
}

TonePlayer::TonePlayer(tone_gen_descriptor_s* descriptor, tone_gen_state_s* state,
                       std::unique_ptr<Resampler> upsampler)
    : descriptor_(descriptor), state_(state), upsampler_(std::move(upsampler)) {}

TonePlayer::~TonePlayer() {
  tone_gen_free(state_);
  tone_gen_descriptor_free(descriptor_);
}

void TonePlayer::play(const ToneSequence& sequence) {
  sequence_ = sequence;
  playing_ = sequence_.count > 0;
  upsampler_->reset();
  if (playing_) startSegment(0);
}

void TonePlayer::stop() { playing_ = false; }

// Each segment is a one-shot spandsp cadence (on, then off); the player steps through the
// segments itself, since spandsp's cadence holds only one frequency pair.
void TonePlayer::startSegment(size_t index) {
  segment_ = index;
  const ToneSegment& segment = sequence_.segments[index];
  // A looping single segment (every continuous tone, most cadences) loops inside spandsp, so
  // the oscillator's phase runs on across cycles: restarting it would click once a cycle.
  const bool loopInSpandsp = sequence_.count == 1 && sequence_.repeat;
  tone_gen_descriptor_init(descriptor_, segment.frequency1, segment.levelDbm0, segment.frequency2,
                           segment.levelDbm0, static_cast<int>(segment.on.count()),
                           static_cast<int>(segment.off.count()), 0, 0, loopInSpandsp ? 1 : 0);
  tone_gen_init(state_, descriptor_);
  // Segments are timed here, so a one-shot sequence ends on the frame its last segment does.
  remaining_ = loopInSpandsp ? std::numeric_limits<size_t>::max()
                             : static_cast<size_t>(segment.on.count() + segment.off.count()) *
                                   kToneRate / 1000;
}

bool TonePlayer::fill(AudioFrame& frame) {
  if (!playing_) return false;
  std::array<int16_t, kNarrowSamples> narrow{};
  size_t made = 0;
  while (made < kNarrowSamples) {
    const size_t want = std::min(kNarrowSamples - made, remaining_);
    tone_gen(state_, narrow.data() + made, static_cast<int>(want));
    made += want;
    remaining_ -= want;
    if (remaining_ > 0) break;
    if (segment_ + 1 < sequence_.count) {
      startSegment(segment_ + 1);
    } else if (sequence_.repeat) {
      startSegment(0);
    } else {
      playing_ = false;  // this frame still carries the end of the last segment
      break;
    }
  }
  std::array<int16_t, kFrameSamples + 1> wide;
  const size_t count = upsampler_->process(narrow.data(), kNarrowSamples, wide.data(), wide.size());
  const size_t lead = kFrameSamples - std::min(count, kFrameSamples);
  std::fill(frame.samples.begin(), frame.samples.begin() + lead, 0);
  std::copy(wide.data(), wide.data() + (kFrameSamples - lead), frame.samples.begin() + lead);
  return true;
}

}  // namespace pbx::media::internal
