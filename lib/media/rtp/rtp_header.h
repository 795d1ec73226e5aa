// RTP fixed header (RFC 3550 §5.1): parsing a received packet into its fields and payload
// (CSRC list, header extension and padding skipped), and writing a header in front of a
// payload we send. Terminated media needs the fields; the relay path never parses.
//
//   auto parsed = ParseRtp(data, size);            // std::nullopt for anything malformed
//   if (parsed) Use(parsed->header.payloadType, parsed->payload, parsed->payloadSize);
//   size_t n = WriteRtpHeader(header, buffer);     // 12 bytes
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace pbx::media::internal {

struct RtpHeader {
  bool marker = false;
  uint8_t payloadType = 0;  // 0..127
  uint16_t sequence = 0;
  uint32_t timestamp = 0;
  uint32_t ssrc = 0;
};

struct RtpView {
  RtpHeader header;
  const uint8_t* payload = nullptr;
  size_t payloadSize = 0;
};

// Checks version, CSRC count, extension length and padding against `size`; a packet whose
// parts do not fit is rejected, never read past its end.
std::optional<RtpView> ParseRtp(const uint8_t* data, size_t size);
// Writes the 12-byte fixed header (version 2, no padding, extension or CSRCs) to `out`.
size_t WriteRtpHeader(const RtpHeader& header, uint8_t* out);

// RFC 3550 sequence arithmetic: whether `a` comes after `b`, with wrap-around.
inline bool SequenceAfter(uint16_t a, uint16_t b) {
  return a != b && static_cast<uint16_t>(a - b) < 0x8000;
}

}  // namespace pbx::media::internal
