#include "lib/spandsp/g722_codec.h"

#include <spandsp.h>

#include <array>

namespace pbx::media::internal {
namespace {

constexpr int kBitRate = 64000;
constexpr size_t kBytesPerFrame = kFrameSamples / 2;  // 160: two 16 kHz samples per byte
// RFC 3551 counts G.722's RTP clock at 8 kHz although it samples at 16 kHz.
constexpr uint32_t kTimestampStep = 160;

class G722Encoder final : public AudioEncoder {
 public:
  explicit G722Encoder(g722_encode_state_t* state) : state_(state) {}
  ~G722Encoder() override { g722_encode_free(state_); }
  G722Encoder(const G722Encoder&) = delete;
  G722Encoder& operator=(const G722Encoder&) = delete;

  size_t encode(const AudioFrame& frame, uint8_t* payload, size_t capacity) override {
    if (capacity < kBytesPerFrame) return 0;
    int bytes = g722_encode(state_, payload, frame.data(), static_cast<int>(kFrameSamples));
    return bytes > 0 ? static_cast<size_t>(bytes) : 0;
  }

  uint32_t timestampStep() const override { return kTimestampStep; }

 private:
  g722_encode_state_t* state_;
};

class G722Decoder final : public AudioDecoder {
 public:
  G722Decoder(g722_decode_state_t* state, plc_state_t* plc) : state_(state), plc_(plc) {}
  ~G722Decoder() override {
    g722_decode_free(state_);
    plc_free(plc_);
  }
  G722Decoder(const G722Decoder&) = delete;
  G722Decoder& operator=(const G722Decoder&) = delete;

  int decode(const uint8_t* payload, size_t size, int16_t* pcm, size_t capacity) override {
    // Every byte is a valid pair of G.722 codewords; only the length can be wrong.
    if (payload == nullptr || size == 0 || size * 2 > capacity || size * 2 > kMaxDecodedSamples) {
      return -1;
    }
    int samples = g722_decode(state_, pcm, payload, static_cast<int>(size));
    if (samples <= 0) return -1;
    // plc_rx keeps the history a later fill-in repeats, and smooths the join after a loss.
    plc_rx(plc_, pcm, samples);
    return samples;
  }

  void conceal(AudioFrame& frame) override {
    plc_fillin(plc_, frame.data(), static_cast<int>(kFrameSamples));
  }

 private:
  g722_decode_state_t* state_;
  plc_state_t* plc_;
};

}  // namespace

absl::StatusOr<AudioEncoderPtr> CreateG722Encoder() {
  g722_encode_state_t* state = g722_encode_init(nullptr, kBitRate, 0);
  if (state == nullptr) return absl::ResourceExhaustedError("g722_encode_init failed");
  return std::make_unique<G722Encoder>(state);
}

absl::StatusOr<AudioDecoderPtr> CreateG722Decoder() {
  g722_decode_state_t* state = g722_decode_init(nullptr, kBitRate, 0);
  if (state == nullptr) return absl::ResourceExhaustedError("g722_decode_init failed");
  plc_state_t* plc = plc_init(nullptr);
  if (plc == nullptr) {
    g722_decode_free(state);
    return absl::ResourceExhaustedError("g722: plc_init failed");
  }
  return std::make_unique<G722Decoder>(state, plc);
}

}  // namespace pbx::media::internal
