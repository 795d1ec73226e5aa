// DtmfDetector: recognises DTMF key presses in a leg's decoded audio (phones and gateways that
// send DTMF in-band, or an RFC 4733 peer we cannot trust), with spandsp's detector.
//
//   auto detector = DtmfDetector::Create();            // StatusOr<unique_ptr<DtmfDetector>>
//   DtmfEvents events = (*detector)->process(frame);   // every 20 ms AudioFrame of the leg
//   for (const DtmfDigit& digit : events.completed()) Deliver(digit);
//
// The detector works at 8 kHz: frames are downsampled first. A key is reported once, when it
// is released, with how long it was held (to 5 ms, spandsp's confirmation delay at both ends
// cancelling out); `started` says when it went down.
// A long press is one digit: spandsp needs the tone to drop out before it reports a change.
//
// Thread-safety: one stream, one thread.
#pragma once

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "lib/media/audio/audio_frame.h"
#include "lib/media/audio/resampler.h"
#include "lib/media/dtmf/dtmf_digit.h"

struct dtmf_rx_state_s;

namespace pbx::media::internal {

class DtmfDetector {
 public:
  static absl::StatusOr<std::unique_ptr<DtmfDetector>> Create();
  ~DtmfDetector();
  DtmfDetector(const DtmfDetector&) = delete;
  DtmfDetector& operator=(const DtmfDetector&) = delete;

  DtmfEvents process(const AudioFrame& frame);
  // Forgets a press in progress (the leg was put on hold, the stream restarted).
  void reset();

 private:
  DtmfDetector(dtmf_rx_state_s* state, std::unique_ptr<Resampler> downsampler);
  static void OnToneChange(void* self, int code, int level, int delay);

  dtmf_rx_state_s* state_;
  std::unique_ptr<Resampler> downsampler_;
  // Set by OnToneChange during process().
  DtmfEvents* pending_ = nullptr;
  char digit_ = 0;  // the key being held, 0 for none
  uint8_t volume_ = 0;
  uint64_t samples_ = 0;  // 8 kHz samples fed so far
  uint64_t startSample_ = 0;
};

}  // namespace pbx::media::internal
