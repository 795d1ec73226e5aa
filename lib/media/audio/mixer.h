// Mixer: the audio of a conference. Each tick every participant hears the sum of everyone
// else, never their own voice.
//
// Per tick: setInput() for each participant that spoke (no input is silence), optionally
// setWhisper() (a coach or a recording heard by that participant alone), then mix() and read
// output(). mix() adds all inputs once and subtracts each participant's own, so a tick costs
// O(participants), not O(participants^2). Sums saturate at 16 bits.
//
// A muted participant still hears the conference but is not heard. A listen-only participant
// (a supervisor listening in, a recorder) hears everyone and is never heard, whatever input it
// is given. All storage is reserved in the object itself: nothing allocates per tick.
//
//   Mixer mixer;
//   int alice = *mixer.add(), bob = *mixer.add();
//   int coach = *mixer.add(Mixer::Role::kListenOnly);
//   mixer.setInput(alice, &aliceFrame);
//   mixer.setInput(bob, &bobFrame);
//   mixer.mix();
//   send(alice, mixer.output(alice));                    // bob's voice
//
// Thread-safety: one media thread. Unknown or removed ids are ignored (output: silence).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "lib/media/audio/audio_frame.h"

namespace pbx::media::internal {

class Mixer {
 public:
  static constexpr int kMaxParticipants = 32;
  enum class Role { kSpeaker, kListenOnly };

  Mixer() = default;
  Mixer(const Mixer&) = delete;
  Mixer& operator=(const Mixer&) = delete;

  // A participant id in [0, kMaxParticipants); ResourceExhausted when full. A new participant
  // hears from the next mix() on.
  absl::StatusOr<int> add(Role role = Role::kSpeaker);
  void remove(int id);
  bool contains(int id) const;
  int participants() const { return count_; }

  void setRole(int id, Role role);
  void setMuted(int id, bool muted);
  bool muted(int id) const;

  // This tick's input (copied; null or never set: silence). Cleared by mix().
  void setInput(int id, const AudioFrame* frame);
  // Audio only `id` hears this tick, on top of the mix. Cleared by mix().
  void setWhisper(int id, const AudioFrame* frame);

  void mix();
  // What `id` hears, as of the last mix().
  const AudioFrame& output(int id) const;

 private:
  struct Participant {
    bool present = false;
    Role role = Role::kSpeaker;
    bool muted = false;
    bool hasInput = false;
    bool hasWhisper = false;
    AudioFrame input;
    AudioFrame whisper;
    AudioFrame output;
  };

  bool valid(int id) const { return id >= 0 && id < kMaxParticipants && slots_[id].present; }
  // Whether `p`'s input goes into the mix this tick.
  static bool heard(const Participant& p) {
    return p.hasInput && !p.muted && p.role == Role::kSpeaker;
  }

  std::array<Participant, kMaxParticipants> slots_;
  std::array<int32_t, kFrameSamples> total_{};
  AudioFrame silence_;
  int count_ = 0;
};

}  // namespace pbx::media::internal
