#include "lib/media/rtp/rtp_header.h"

namespace pbx::media::internal {

std::optional<RtpView> ParseRtp(const uint8_t* data, size_t size) {
  if (size < 12 || (data[0] >> 6) != 2) return std::nullopt;
  const bool padding = (data[0] & 0x20) != 0;
  const bool extension = (data[0] & 0x10) != 0;
  const size_t csrcCount = data[0] & 0x0f;
  size_t offset = 12 + 4 * csrcCount;
  if (offset > size) return std::nullopt;
  if (extension) {
    if (offset + 4 > size) return std::nullopt;
    const size_t words = (size_t{data[offset + 2]} << 8) | data[offset + 3];
    offset += 4 + 4 * words;
    if (offset > size) return std::nullopt;
  }
  size_t end = size;
  if (padding) {
    const size_t pad = data[size - 1];
    if (pad == 0 || offset + pad > size) return std::nullopt;
    end -= pad;
  }
  RtpView view;
  view.header.marker = (data[1] & 0x80) != 0;
  view.header.payloadType = data[1] & 0x7f;
  view.header.sequence = static_cast<uint16_t>((data[2] << 8) | data[3]);
  view.header.timestamp =
      (uint32_t{data[4]} << 24) | (uint32_t{data[5]} << 16) | (uint32_t{data[6]} << 8) | data[7];
  view.header.ssrc =
      (uint32_t{data[8]} << 24) | (uint32_t{data[9]} << 16) | (uint32_t{data[10]} << 8) | data[11];
  view.payload = data + offset;
  view.payloadSize = end - offset;
  return view;
}

size_t WriteRtpHeader(const RtpHeader& header, uint8_t* out) {
  out[0] = 0x80;
  out[1] = static_cast<uint8_t>((header.marker ? 0x80 : 0) | (header.payloadType & 0x7f));
  out[2] = static_cast<uint8_t>(header.sequence >> 8);
  out[3] = static_cast<uint8_t>(header.sequence);
  for (int i = 0; i < 4; ++i) {
    out[4 + i] = static_cast<uint8_t>(header.timestamp >> (24 - 8 * i));
    out[8 + i] = static_cast<uint8_t>(header.ssrc >> (24 - 8 * i));
  }
  return 12;
}

}  // namespace pbx::media::internal
