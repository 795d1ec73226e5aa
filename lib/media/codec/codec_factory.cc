// CreateEncoder/CreateDecoder (declared in audio_codec.h): the one place that maps an SDP
// encoding name to a codec implementation.
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/media/codec/audio_codec.h"
#include "lib/media/codec/opus_codec.h"
#include "lib/spandsp/g711_codec.h"
#include "lib/spandsp/g722_codec.h"

namespace pbx::media::internal {

absl::StatusOr<AudioEncoderPtr> CreateEncoder(const CodecParams& params) {
  if (absl::EqualsIgnoreCase(params.name, "PCMU")) return CreateG711Encoder(G711Law::kMu);
  if (absl::EqualsIgnoreCase(params.name, "PCMA")) return CreateG711Encoder(G711Law::kA);
  if (absl::EqualsIgnoreCase(params.name, "G722")) return CreateG722Encoder();
  if (absl::EqualsIgnoreCase(params.name, "opus")) return CreateOpusEncoder(params);
  return absl::InvalidArgumentError(absl::StrCat("no encoder for codec '", params.name, "'"));
}

absl::StatusOr<AudioDecoderPtr> CreateDecoder(const CodecParams& params) {
  if (absl::EqualsIgnoreCase(params.name, "PCMU")) return CreateG711Decoder(G711Law::kMu);
  if (absl::EqualsIgnoreCase(params.name, "PCMA")) return CreateG711Decoder(G711Law::kA);
  if (absl::EqualsIgnoreCase(params.name, "G722")) return CreateG722Decoder();
  if (absl::EqualsIgnoreCase(params.name, "opus")) return CreateOpusDecoder();
  return absl::InvalidArgumentError(absl::StrCat("no decoder for codec '", params.name, "'"));
}

}  // namespace pbx::media::internal
