#include "lib/spandsp/g711_codec.h"

#include <spandsp.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "lib/media/audio/resampler.h"

namespace pbx::media::internal {
namespace {

constexpr int kNarrowRate = 8000;
constexpr size_t kNarrowFrameSamples = kFrameSamples / 2;  // 160: 20 ms at 8 kHz
// The longest payload we decode: as many 8 kHz samples as kMaxDecodedSamples holds at 16 kHz.
constexpr size_t kMaxNarrowSamples = kMaxDecodedSamples / 2;

// Converts exactly `count` samples to exactly `wanted`. The resampler skips its filter delay, so
// the first calls of a stream yield a few samples short; padding the front with silence keeps
// every frame the same length, and the RTP timing with it.
void ResampleExact(Resampler& resampler, const int16_t* in, size_t count, int16_t* out,
                   size_t wanted) {
  size_t produced = resampler.process(in, count, out, wanted);
  if (produced < wanted) {
    std::memmove(out + (wanted - produced), out, produced * sizeof(int16_t));
    std::fill(out, out + (wanted - produced), int16_t{0});
  }
}

class G711Encoder final : public AudioEncoder {
 public:
  G711Encoder(G711Law law, std::unique_ptr<Resampler> down) : law_(law), down_(std::move(down)) {}

  size_t encode(const AudioFrame& frame, uint8_t* payload, size_t capacity) override {
    if (capacity < kNarrowFrameSamples) return 0;
    ResampleExact(*down_, frame.data(), kFrameSamples, narrow_.data(), kNarrowFrameSamples);
    for (size_t i = 0; i < kNarrowFrameSamples; ++i) {
      payload[i] = law_ == G711Law::kMu ? linear_to_ulaw(narrow_[i]) : linear_to_alaw(narrow_[i]);
    }
    return kNarrowFrameSamples;
  }

  uint32_t timestampStep() const override { return kNarrowFrameSamples; }

 private:
  const G711Law law_;
  std::unique_ptr<Resampler> down_;
  std::array<int16_t, kNarrowFrameSamples> narrow_{};
};

class G711Decoder final : public AudioDecoder {
 public:
  G711Decoder(G711Law law, std::unique_ptr<Resampler> up, plc_state_t* plc)
      : law_(law), up_(std::move(up)), plc_(plc) {}
  ~G711Decoder() override { plc_free(plc_); }
  G711Decoder(const G711Decoder&) = delete;
  G711Decoder& operator=(const G711Decoder&) = delete;

  int decode(const uint8_t* payload, size_t size, int16_t* pcm, size_t capacity) override {
    // Every byte is a valid G.711 sample; only the length can be wrong.
    if (payload == nullptr || size == 0 || size > kMaxNarrowSamples || size * 2 > capacity) {
      return -1;
    }
    for (size_t i = 0; i < size; ++i) {
      narrow_[i] = law_ == G711Law::kMu ? ulaw_to_linear(payload[i]) : alaw_to_linear(payload[i]);
    }
    // plc_rx keeps the history a later fill-in repeats, and smooths the join after a loss.
    plc_rx(plc_, narrow_.data(), static_cast<int>(size));
    ResampleExact(*up_, narrow_.data(), size, pcm, size * 2);
    return static_cast<int>(size * 2);
  }

  void conceal(AudioFrame& frame) override {
    plc_fillin(plc_, narrow_.data(), static_cast<int>(kNarrowFrameSamples));
    ResampleExact(*up_, narrow_.data(), kNarrowFrameSamples, frame.data(), kFrameSamples);
  }

 private:
  const G711Law law_;
  std::unique_ptr<Resampler> up_;
  plc_state_t* plc_;
  std::array<int16_t, kMaxNarrowSamples> narrow_{};
};

}  // namespace

absl::StatusOr<AudioEncoderPtr> CreateG711Encoder(G711Law law) {
  auto down = Resampler::Create(kGraphRate, kNarrowRate);
  if (!down.ok()) return down.status();
  return std::make_unique<G711Encoder>(law, std::move(*down));
}

absl::StatusOr<AudioDecoderPtr> CreateG711Decoder(G711Law law) {
  auto up = Resampler::Create(kNarrowRate, kGraphRate);
  if (!up.ok()) return up.status();
  plc_state_t* plc = plc_init(nullptr);
  if (plc == nullptr) return absl::ResourceExhaustedError("g711: plc_init failed");
  return std::make_unique<G711Decoder>(law, std::move(*up), plc);
}

}  // namespace pbx::media::internal
