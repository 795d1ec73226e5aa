#include "lib/media/audio/mixer.h"

#include <algorithm>

namespace pbx::media::internal {
namespace {

int16_t Saturate(int32_t v) { return static_cast<int16_t>(std::clamp<int32_t>(v, -32768, 32767)); }

}  // namespace

absl::StatusOr<int> Mixer::add(Role role) {
  for (int id = 0; id < kMaxParticipants; ++id) {
    Participant& p = slots_[id];
    if (p.present) continue;
    p.present = true;
    p.role = role;
    p.muted = false;
    p.hasInput = false;
    p.hasWhisper = false;
    p.output.clear();
    ++count_;
    return id;
  }
  return absl::ResourceExhaustedError("the mixer is full");
}

void Mixer::remove(int id) {
  if (!valid(id)) return;
  slots_[id].present = false;
  --count_;
}

bool Mixer::contains(int id) const { return valid(id); }

void Mixer::setRole(int id, Role role) {
  if (valid(id)) slots_[id].role = role;
}

void Mixer::setMuted(int id, bool muted) {
  if (valid(id)) slots_[id].muted = muted;
}

bool Mixer::muted(int id) const { return valid(id) && slots_[id].muted; }

void Mixer::setInput(int id, const AudioFrame* frame) {
  if (!valid(id)) return;
  Participant& p = slots_[id];
  p.hasInput = frame != nullptr;
  if (frame != nullptr) p.input = *frame;
}

void Mixer::setWhisper(int id, const AudioFrame* frame) {
  if (!valid(id)) return;
  Participant& p = slots_[id];
  p.hasWhisper = frame != nullptr;
  if (frame != nullptr) p.whisper = *frame;
}

void Mixer::mix() {
  total_.fill(0);
  for (const Participant& p : slots_) {
    if (!p.present || !heard(p)) continue;
    for (size_t i = 0; i < kFrameSamples; ++i) total_[i] += p.input.samples[i];
  }
  for (Participant& p : slots_) {
    if (!p.present) continue;
    // The exact sum minus one's own input, saturated only at the end: clipping the total
    // first would leave a trace of the participant's own voice in what they hear.
    const bool own = heard(p);
    for (size_t i = 0; i < kFrameSamples; ++i) {
      int32_t v = total_[i];
      if (own) v -= p.input.samples[i];
      if (p.hasWhisper) v += p.whisper.samples[i];
      p.output.samples[i] = Saturate(v);
    }
    p.hasInput = false;
    p.hasWhisper = false;
  }
}

const AudioFrame& Mixer::output(int id) const { return valid(id) ? slots_[id].output : silence_; }

}  // namespace pbx::media::internal
