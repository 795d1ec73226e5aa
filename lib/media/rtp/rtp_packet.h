// Cheap shape checks for packets arriving on a relay endpoint. The relay forwards payloads
// unchanged, so it only checks what it must to reject junk: the fixed header length and the
// version field (RFC 3550 §5.1 and §6.4). STUN, DTLS, zero-length and truncated datagrams fail.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pbx::media::internal {

inline constexpr size_t kRtpHeaderSize = 12;
inline constexpr size_t kRtcpHeaderSize = 8;
inline constexpr uint8_t kRtpVersion = 2;

inline bool HasVersion2(const uint8_t* data) { return (data[0] >> 6) == kRtpVersion; }

inline bool LooksLikeRtp(const uint8_t* data, size_t size) {
  return size >= kRtpHeaderSize && HasVersion2(data);
}

inline bool LooksLikeRtcp(const uint8_t* data, size_t size) {
  return size >= kRtcpHeaderSize && HasVersion2(data);
}

}  // namespace pbx::media::internal
