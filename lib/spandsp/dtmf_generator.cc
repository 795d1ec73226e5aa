#include "lib/spandsp/dtmf_generator.h"

#include <algorithm>

extern "C" {
#include <spandsp.h>
}

namespace pbx::media::internal {
namespace {

constexpr int kGeneratorRate = 8000;
constexpr size_t kNarrowSamples = kFrameSamples / 2;
constexpr int kTwistDb = 2;

// Resampler output is short of a frame only at the start of a stream (speexdsp skips its
// filter delay): align what came out to the end of the frame, silence before it.
void PlaceAtEnd(const int16_t* produced, size_t count, AudioFrame& frame) {
  const size_t lead = kFrameSamples - std::min(count, kFrameSamples);
  std::fill(frame.samples.begin(), frame.samples.begin() + lead, 0);
  std::copy(produced, produced + (kFrameSamples - lead), frame.samples.begin() + lead);
}

}  // namespace

absl::StatusOr<std::unique_ptr<DtmfGenerator>> DtmfGenerator::Create() {
  auto upsampler = Resampler::Create(kGeneratorRate, kGraphRate);
  if (!upsampler.ok()) return upsampler.status();
  dtmf_tx_state_t* state = dtmf_tx_init(nullptr);
  if (state == nullptr) return absl::InternalError("dtmf_tx_init failed");
  return std::unique_ptr<DtmfGenerator>(new DtmfGenerator(state, std::move(*upsampler)));
}

DtmfGenerator::DtmfGenerator(dtmf_tx_state_s* state, std::unique_ptr<Resampler> upsampler)
    : state_(state), upsampler_(std::move(upsampler)) {}

DtmfGenerator::~DtmfGenerator() { dtmf_tx_free(state_); }

absl::Status DtmfGenerator::send(char digit, std::chrono::milliseconds on,
                                 std::chrono::milliseconds gap, int levelDbm0) {
  const int event = DtmfEventForDigit(digit);
  if (event < 0) return absl::InvalidArgumentError("not a DTMF key");
  if (levelDbm0 < -50 || levelDbm0 > 0) {
    return absl::InvalidArgumentError("DTMF level must be -50..0 dBm0");
  }
  if (queued_ == kQueueCapacity) return absl::ResourceExhaustedError("DTMF queue full");
  const auto clampMs = [](std::chrono::milliseconds value) {
    return static_cast<int>(std::clamp<int64_t>(value.count(), 20, 60000));
  };
  queue_[(head_ + queued_) % kQueueCapacity] = Press{
      .digit = *DtmfDigitForEvent(event),
      .on = clampMs(on),
      .gap = clampMs(gap),
      .level = levelDbm0,
  };
  ++queued_;
  return absl::OkStatus();
}

// spandsp reads timing and level when it takes a digit from its own queue, so it is handed
// one press at a time, after setting that press's timing.
bool DtmfGenerator::startNext() {
  if (queued_ == 0) return false;
  const Press& press = queue_[head_];
  head_ = (head_ + 1) % kQueueCapacity;
  --queued_;
  dtmf_tx_set_level(state_, press.level, kTwistDb);
  dtmf_tx_set_timing(state_, press.on, press.gap);
  dtmf_tx_put(state_, &press.digit, 1);
  remaining_ = static_cast<size_t>(press.on + press.gap) * (kGeneratorRate / 1000);
  return true;
}

bool DtmfGenerator::fill(AudioFrame& frame) {
  if (remaining_ == 0 && !startNext()) return false;
  std::array<int16_t, kNarrowSamples> narrow{};
  size_t made = 0;
  // Presses are timed here, not by spandsp's output running dry, so the generator goes idle
  // on the frame where the last gap ends rather than one frame later.
  while (made < kNarrowSamples) {
    const size_t want = std::min(kNarrowSamples - made, remaining_);
    dtmf_tx(state_, narrow.data() + made, static_cast<int>(want));
    made += want;
    remaining_ -= want;
    if (remaining_ == 0 && !startNext()) break;
  }
  std::array<int16_t, kFrameSamples + 1> wide;
  const size_t count = upsampler_->process(narrow.data(), kNarrowSamples, wide.data(), wide.size());
  PlaceAtEnd(wide.data(), count, frame);
  if (remaining_ == 0) upsampler_->reset();
  return true;
}

void DtmfGenerator::stop() {
  queued_ = 0;
  remaining_ = 0;
  dtmf_tx_init(state_);
  upsampler_->reset();
}

}  // namespace pbx::media::internal
