#include "lib/spandsp/dtmf_detector.h"

#include <algorithm>
#include <array>

extern "C" {
#include <spandsp.h>
}

namespace pbx::media::internal {
namespace {

constexpr int kDetectorRate = 8000;
constexpr size_t kNarrowSamples = kFrameSamples / 2;  // 160 at 8 kHz
// Fed in 5 ms pieces so a tone change is timed to 5 ms, not to the frame.
constexpr size_t kChunkSamples = 40;

}  // namespace

absl::StatusOr<std::unique_ptr<DtmfDetector>> DtmfDetector::Create() {
  auto downsampler = Resampler::Create(kGraphRate, kDetectorRate);
  if (!downsampler.ok()) return downsampler.status();
  dtmf_rx_state_t* state = dtmf_rx_init(nullptr, nullptr, nullptr);
  if (state == nullptr) return absl::InternalError("dtmf_rx_init failed");
  auto detector = std::unique_ptr<DtmfDetector>(new DtmfDetector(state, std::move(*downsampler)));
  dtmf_rx_set_realtime_callback(state, &DtmfDetector::OnToneChange, detector.get());
  return detector;
}

DtmfDetector::DtmfDetector(dtmf_rx_state_s* state, std::unique_ptr<Resampler> downsampler)
    : state_(state), downsampler_(std::move(downsampler)) {}

DtmfDetector::~DtmfDetector() { dtmf_rx_free(state_); }

DtmfEvents DtmfDetector::process(const AudioFrame& frame) {
  std::array<int16_t, kNarrowSamples + 1> narrow;
  const size_t count =
      downsampler_->process(frame.data(), kFrameSamples, narrow.data(), narrow.size());
  DtmfEvents events;
  pending_ = &events;
  for (size_t offset = 0; offset < count; offset += kChunkSamples) {
    const size_t chunk = std::min(kChunkSamples, count - offset);
    dtmf_rx(state_, narrow.data() + offset, static_cast<int>(chunk));
    samples_ += chunk;
  }
  pending_ = nullptr;
  return events;
}

void DtmfDetector::reset() {
  dtmf_rx_init(state_, nullptr, nullptr);
  dtmf_rx_set_realtime_callback(state_, &DtmfDetector::OnToneChange, this);
  downsampler_->reset();
  digit_ = 0;
}

// spandsp calls this when a change is confirmed: `code` is the key now held, or 0 when the
// tone stopped; `level` is the tone's power in dBm0.
void DtmfDetector::OnToneChange(void* self, int code, int level, int /*delay*/) {
  auto* detector = static_cast<DtmfDetector*>(self);
  if (detector->pending_ == nullptr) return;
  if (detector->digit_ != 0 && code != detector->digit_) {
    const uint64_t held = detector->samples_ - detector->startSample_;
    detector->pending_->add(DtmfDigit{
        .digit = detector->digit_,
        .duration = std::chrono::milliseconds(held * 1000 / kDetectorRate),
        .volume = detector->volume_,
    });
    detector->digit_ = 0;
  }
  if (code != 0 && DtmfEventForDigit(static_cast<char>(code)) >= 0) {
    detector->digit_ = static_cast<char>(code);
    detector->startSample_ = detector->samples_;
    detector->volume_ = static_cast<uint8_t>(std::clamp(-level, 0, 63));
    detector->pending_->started = detector->digit_;
  }
}

}  // namespace pbx::media::internal
