#include "lib/media/rtp/rtp_packet.h"

#include <doctest/doctest.h>

#include <cstdint>

namespace pbx::media::internal {
namespace {

TEST_CASE("RTP needs a 12-byte header of version 2") {
  uint8_t packet[12] = {0x80, 0x00};
  CHECK(LooksLikeRtp(packet, 12));
  CHECK_FALSE(LooksLikeRtp(packet, 11));
  CHECK_FALSE(LooksLikeRtp(packet, 0));
  packet[0] = 0x00;  // version 0 (and STUN's first byte)
  CHECK_FALSE(LooksLikeRtp(packet, 12));
  packet[0] = 0xc0;  // version 3
  CHECK_FALSE(LooksLikeRtp(packet, 12));
}

TEST_CASE("RTCP needs an 8-byte header of version 2") {
  uint8_t packet[8] = {0x81, 201, 0, 1};
  CHECK(LooksLikeRtcp(packet, 8));
  CHECK_FALSE(LooksLikeRtcp(packet, 7));
  packet[0] = 0x41;
  CHECK_FALSE(LooksLikeRtcp(packet, 8));
}

}  // namespace
}  // namespace pbx::media::internal
