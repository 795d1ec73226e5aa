// DtmfGenerator: plays DTMF key presses as tones into a leg's audio, for peers that take DTMF
// only in-band (or when RFC 4733 and INFO were not negotiated), with spandsp's generator.
//
//   auto generator = DtmfGenerator::Create();               // StatusOr<unique_ptr<...>>
//   (*generator)->send('5');                                // 100 ms tone, 100 ms gap
//   (*generator)->send('#', std::chrono::milliseconds(250));
//   // every 20 ms tick:
//   if ((*generator)->fill(frame)) { /* frame now holds tone or gap: send it, not the leg's */ }
//
// Tones are made at 8 kHz and upsampled to the graph's 16 kHz. Each press has its own on time,
// gap and level, so queued presses play exactly as asked.
//
// Thread-safety: one stream, one thread.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/media/audio/audio_frame.h"
#include "lib/media/audio/resampler.h"
#include "lib/media/dtmf/dtmf_digit.h"

struct dtmf_tx_state_s;

namespace pbx::media::internal {

class DtmfGenerator {
 public:
  static constexpr size_t kQueueCapacity = 32;
  static constexpr std::chrono::milliseconds kDefaultOn{100};
  static constexpr std::chrono::milliseconds kDefaultGap{100};
  // Per-frequency level of the low tone in dBm0; the high tone is sent 2 dB louder (twist),
  // as Q.23 recommends to offset the line's high-frequency loss.
  static constexpr int kDefaultLevel = -10;

  static absl::StatusOr<std::unique_ptr<DtmfGenerator>> Create();
  ~DtmfGenerator();
  DtmfGenerator(const DtmfGenerator&) = delete;
  DtmfGenerator& operator=(const DtmfGenerator&) = delete;

  // Queues a press. InvalidArgument for a character that is not a key or a level outside
  // -50..0 dBm0; ResourceExhausted when kQueueCapacity presses are waiting. Durations are
  // clamped to 20 ms..60 s.
  absl::Status send(char digit, std::chrono::milliseconds on = kDefaultOn,
                    std::chrono::milliseconds gap = kDefaultGap, int levelDbm0 = kDefaultLevel);
  // Writes this tick's tone (or inter-digit silence) over `frame` and returns true while a
  // press is playing; returns false and leaves `frame` untouched when idle.
  bool fill(AudioFrame& frame);
  bool active() const { return remaining_ > 0 || queued_ > 0; }
  // Drops queued presses and stops the one playing.
  void stop();

 private:
  struct Press {
    char digit = 0;
    int on = 0;   // ms
    int gap = 0;  // ms
    int level = 0;
  };

  DtmfGenerator(dtmf_tx_state_s* state, std::unique_ptr<Resampler> upsampler);
  bool startNext();

  dtmf_tx_state_s* state_;
  std::unique_ptr<Resampler> upsampler_;
  std::array<Press, kQueueCapacity> queue_{};
  size_t head_ = 0;
  size_t queued_ = 0;
  size_t remaining_ = 0;  // 8 kHz samples left of the press playing, tone and gap
};

}  // namespace pbx::media::internal
