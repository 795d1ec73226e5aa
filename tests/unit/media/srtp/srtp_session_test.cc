#include "lib/media/srtp/srtp_session.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <random>
#include <string>
#include <vector>

#include "lib/media/rtp/rtp_header.h"
#include "lib/media/srtp/sdes.h"

namespace pbx::media::internal {
namespace {

constexpr size_t kPayloadSize = 160;
constexpr size_t kCapacity = 1500;

std::string TestKey(SrtpSuite suite, char seed) {
  std::string key(KeySaltLength(suite), '\0');
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<char>(seed + 7 * i);
  return key;
}

// Two ends of one call: what `alice` protects, `bob` unprotects, and back.
struct Pair {
  std::unique_ptr<SrtpSession> alice;
  std::unique_ptr<SrtpSession> bob;
};

Pair MakePair(SrtpSuite suite) {
  std::string a = TestKey(suite, 'a'), b = TestKey(suite, 'b');
  auto alice = SrtpSession::Create(suite, a, b);
  auto bob = SrtpSession::Create(suite, b, a);
  REQUIRE(alice.ok());
  REQUIRE(bob.ok());
  return {*std::move(alice), *std::move(bob)};
}

struct Packet {
  std::array<uint8_t, kCapacity> bytes{};
  size_t size = 0;
};

Packet MakeRtp(uint16_t sequence, uint32_t ssrc = 0x11223344) {
  Packet packet;
  RtpHeader header;
  header.payloadType = 0;
  header.sequence = sequence;
  header.timestamp = 160u * sequence;
  header.ssrc = ssrc;
  size_t n = WriteRtpHeader(header, packet.bytes.data());
  for (size_t i = 0; i < kPayloadSize; ++i) packet.bytes[n + i] = static_cast<uint8_t>(i * 3 + 1);
  packet.size = n + kPayloadSize;
  return packet;
}

// A sender report: 8-byte header, 20 bytes of sender info.
Packet MakeRtcp() {
  Packet packet;
  const uint8_t header[8] = {0x80, 200, 0, 6, 0x11, 0x22, 0x33, 0x44};
  std::copy(std::begin(header), std::end(header), packet.bytes.begin());
  for (size_t i = 8; i < 28; ++i) packet.bytes[i] = static_cast<uint8_t>(i);
  packet.size = 28;
  return packet;
}

bool SameBytes(const Packet& a, const Packet& b) {
  return a.size == b.size && std::equal(a.bytes.begin(), a.bytes.begin() + a.size, b.bytes.begin());
}

size_t RtpTagLength(SrtpSuite suite) {
  switch (suite) {
    case SrtpSuite::kAesCm128HmacSha1_80:
      return 10;
    case SrtpSuite::kAesCm128HmacSha1_32:
      return 4;
    default:
      return 16;
  }
}

TEST_CASE("AES-CM suites are always there; GCM follows what libsrtp can run") {
  CHECK(SrtpSession::SuiteAvailable(SrtpSuite::kAesCm128HmacSha1_80));
  CHECK(SrtpSession::SuiteAvailable(SrtpSuite::kAesCm128HmacSha1_32));
  std::vector<SrtpSuite> suites = SrtpSession::AvailableSuites();
  CHECK(std::find(suites.begin(), suites.end(), SrtpSuite::kAesCm128HmacSha1_80) != suites.end());
  for (SrtpSuite suite : {SrtpSuite::kAeadAes128Gcm, SrtpSuite::kAeadAes256Gcm}) {
    bool listed = std::find(suites.begin(), suites.end(), suite) != suites.end();
    CHECK(listed == SrtpSession::SuiteAvailable(suite));
    std::string key = TestKey(suite, 'k');
    CHECK(SrtpSession::Create(suite, key, key).ok() == SrtpSession::SuiteAvailable(suite));
  }
  MESSAGE("suites available: ", suites.size());
}

TEST_CASE("protect then unprotect gives back the packet, for every suite") {
  for (SrtpSuite suite : SrtpSession::AvailableSuites()) {
    CAPTURE(SuiteName(suite));
    Pair pair = MakePair(suite);
    for (uint16_t sequence = 1000; sequence < 1010; ++sequence) {
      const Packet plain = MakeRtp(sequence);
      Packet wire = plain;
      REQUIRE(pair.alice->protect(wire.bytes.data(), wire.size, wire.bytes.size()));
      CHECK(wire.size == plain.size + RtpTagLength(suite));
      // The header stays readable, the payload does not.
      CHECK(std::equal(wire.bytes.begin(), wire.bytes.begin() + 12, plain.bytes.begin()));
      CHECK_FALSE(std::equal(wire.bytes.begin() + 12, wire.bytes.begin() + plain.size,
                             plain.bytes.begin() + 12));
      REQUIRE(pair.bob->unprotect(wire.bytes.data(), wire.size));
      CHECK(SameBytes(wire, plain));
    }
    // And the other way.
    Packet back = MakeRtp(7, 0x55667788);
    const Packet plainBack = back;
    REQUIRE(pair.bob->protect(back.bytes.data(), back.size, back.bytes.size()));
    REQUIRE(pair.alice->unprotect(back.bytes.data(), back.size));
    CHECK(SameBytes(back, plainBack));
    CHECK(pair.alice->stats().rtpProtected == 10);
    CHECK(pair.bob->stats().rtpUnprotected == 10);
    CHECK(pair.bob->stats().authFailures == 0);
  }
}

TEST_CASE("RTCP round trip, and a tampered report fails") {
  for (SrtpSuite suite : SrtpSession::AvailableSuites()) {
    CAPTURE(SuiteName(suite));
    Pair pair = MakePair(suite);
    const Packet plain = MakeRtcp();
    Packet wire = plain;
    REQUIRE(pair.alice->protectRtcp(wire.bytes.data(), wire.size, wire.bytes.size()));
    // Index word plus tag: SRTCP keeps the 80-bit tag even for the _32 suite.
    CHECK(wire.size == plain.size + 4 + (RtpTagLength(suite) == 16 ? 16 : 10));
    Packet tampered = wire;
    tampered.bytes[10] ^= 0x01;
    CHECK_FALSE(pair.bob->unprotectRtcp(tampered.bytes.data(), tampered.size));
    CHECK(pair.bob->stats().authFailures == 1);
    REQUIRE(pair.bob->unprotectRtcp(wire.bytes.data(), wire.size));
    CHECK(SameBytes(wire, plain));
    CHECK(pair.bob->stats().rtcpUnprotected == 1);
  }
}

TEST_CASE("a tampered packet fails authentication and is counted") {
  for (SrtpSuite suite : SrtpSession::AvailableSuites()) {
    CAPTURE(SuiteName(suite));
    Pair pair = MakePair(suite);
    Packet wire = MakeRtp(1);
    REQUIRE(pair.alice->protect(wire.bytes.data(), wire.size, wire.bytes.size()));
    for (size_t offset : {size_t{2}, size_t{20}, wire.size - 1}) {  // header, payload, tag
      Packet tampered = wire;
      tampered.bytes[offset] ^= 0x80;
      CHECK_FALSE(pair.bob->unprotect(tampered.bytes.data(), tampered.size));
    }
    CHECK(pair.bob->stats().authFailures == 3);
    CHECK(pair.bob->stats().rtpUnprotected == 0);
    // The genuine packet still passes afterwards.
    CHECK(pair.bob->unprotect(wire.bytes.data(), wire.size));
  }
}

TEST_CASE("a replayed packet is rejected and counted") {
  Pair pair = MakePair(SrtpSuite::kAesCm128HmacSha1_80);
  // Protected now, delivered late: the sender itself refuses to go back that far.
  Packet old = MakeRtp(100);
  REQUIRE(pair.alice->protect(old.bytes.data(), old.size, old.bytes.size()));
  Packet wire = MakeRtp(500);
  REQUIRE(pair.alice->protect(wire.bytes.data(), wire.size, wire.bytes.size()));
  Packet copy = wire;
  REQUIRE(pair.bob->unprotect(wire.bytes.data(), wire.size));
  CHECK_FALSE(pair.bob->unprotect(copy.bytes.data(), copy.size));
  CHECK(pair.bob->stats().replayFailures == 1);
  CHECK(pair.bob->stats().authFailures == 0);

  // Far behind the window is a replay too, even though it was never seen.
  for (uint16_t sequence = 501; sequence < 800; ++sequence) {
    Packet next = MakeRtp(sequence);
    REQUIRE(pair.alice->protect(next.bytes.data(), next.size, next.bytes.size()));
    REQUIRE(pair.bob->unprotect(next.bytes.data(), next.size));
  }
  CHECK_FALSE(pair.bob->unprotect(old.bytes.data(), old.size));
  CHECK(pair.bob->stats().replayFailures == 2);
}

TEST_CASE("sending the same packet twice is allowed (retransmission)") {
  Pair pair = MakePair(SrtpSuite::kAesCm128HmacSha1_80);
  Packet first = MakeRtp(42), second = MakeRtp(42);
  REQUIRE(pair.alice->protect(first.bytes.data(), first.size, first.bytes.size()));
  REQUIRE(pair.alice->protect(second.bytes.data(), second.size, second.bytes.size()));
  CHECK(SameBytes(first, second));
  CHECK(pair.alice->stats().protectFailures == 0);
}

TEST_CASE("sessions with different keys do not understand each other") {
  for (SrtpSuite suite : SrtpSession::AvailableSuites()) {
    CAPTURE(SuiteName(suite));
    std::string a = TestKey(suite, 'a'), b = TestKey(suite, 'b'), c = TestKey(suite, 'c');
    auto alice = SrtpSession::Create(suite, a, b);
    auto mallory = SrtpSession::Create(suite, c, a);  // receives with alice's key, sends with c
    auto bob = SrtpSession::Create(suite, b, a);
    REQUIRE(alice.ok());
    REQUIRE(mallory.ok());
    REQUIRE(bob.ok());
    Packet wire = MakeRtp(9);
    REQUIRE((*mallory)->protect(wire.bytes.data(), wire.size, wire.bytes.size()));
    CHECK_FALSE((*bob)->unprotect(wire.bytes.data(), wire.size));
    CHECK((*bob)->stats().authFailures == 1);
  }
}

TEST_CASE("protect refuses a buffer without room for the tag, and non-RTP") {
  Pair pair = MakePair(SrtpSuite::kAesCm128HmacSha1_80);
  Packet packet = MakeRtp(1);
  const Packet original = packet;
  CHECK_FALSE(pair.alice->protect(packet.bytes.data(), packet.size,
                                  packet.size + SrtpSession::kMaxOverhead - 1));
  CHECK(SameBytes(packet, original));
  size_t tiny = 11;
  CHECK_FALSE(pair.alice->protect(packet.bytes.data(), tiny, packet.bytes.size()));
  packet.bytes[0] = 0x40;  // version 1
  CHECK_FALSE(pair.alice->protect(packet.bytes.data(), packet.size, packet.bytes.size()));
  CHECK(pair.alice->stats().protectFailures == 3);
  CHECK(pair.alice->stats().rtpProtected == 0);
}

TEST_CASE("garbage, truncated and oversized input never crashes unprotect") {
  for (SrtpSuite suite : SrtpSession::AvailableSuites()) {
    CAPTURE(SuiteName(suite));
    Pair pair = MakePair(suite);
    std::mt19937 random(1234);
    std::vector<uint8_t> buffer(SrtpSession::kMaxPacketSize + 100);
    uint64_t attempts = 0;
    for (int i = 0; i < 3000; ++i) {
      size_t size = random() % (i % 3 == 0 ? 1500 : 300);
      for (size_t j = 0; j < size; ++j) buffer[j] = static_cast<uint8_t>(random());
      // Half look like RTP version 2, with whatever CSRC count and extension bit they got,
      // so they reach libsrtp's own header checks and the tag check.
      if (i % 2 == 0 && size > 0) buffer[0] = static_cast<uint8_t>((buffer[0] & 0x3f) | 0x80);
      size_t rtpSize = size;
      CHECK_FALSE(pair.bob->unprotect(buffer.data(), rtpSize));
      CHECK(rtpSize == size);
      size_t rtcpSize = size;
      CHECK_FALSE(pair.bob->unprotectRtcp(buffer.data(), rtcpSize));
      attempts += 2;
    }
    // Every prefix of a genuine packet.
    Packet wire = MakeRtp(77);
    REQUIRE(pair.alice->protect(wire.bytes.data(), wire.size, wire.bytes.size()));
    for (size_t size = 0; size < wire.size; ++size) {
      Packet copy = wire;
      size_t truncated = size;
      CHECK_FALSE(pair.bob->unprotect(copy.bytes.data(), truncated));
      ++attempts;
    }
    size_t huge = SrtpSession::kMaxPacketSize + 1;
    buffer[0] = 0x80;
    CHECK_FALSE(pair.bob->unprotect(buffer.data(), huge));
    CHECK_FALSE(pair.bob->unprotectRtcp(buffer.data(), huge));
    size_t none = 0;
    CHECK_FALSE(pair.bob->unprotect(nullptr, none));
    attempts += 3;
    SrtpSession::Stats stats = pair.bob->stats();
    CHECK(stats.authFailures + stats.replayFailures + stats.malformed == attempts);
    CHECK(stats.rtpUnprotected + stats.rtcpUnprotected == 0);
    // After all that the genuine packet is still accepted.
    CHECK(pair.bob->unprotect(wire.bytes.data(), wire.size));
  }
}

TEST_CASE("a session built from an SDES exchange talks to the peer's") {
  auto offer = GenerateCryptoOffer(SrtpSession::AvailableSuites());
  REQUIRE(offer.ok());
  std::vector<std::string> offerLines;
  for (const CryptoAttribute& attribute : *offer) {
    offerLines.push_back(FormatCryptoAttribute(attribute));
  }
  const SrtpSuite answererPrefers[] = {SrtpSuite::kAesCm128HmacSha1_80};
  auto answer = NegotiateCryptoAnswer(offerLines, answererPrefers);
  REQUIRE(answer.ok());
  auto agreed = AcceptCryptoAnswer(*offer, FormatCryptoAttribute(answer->local));
  REQUIRE(agreed.ok());
  auto offerer = SrtpSession::Create(*agreed);
  auto answerer = SrtpSession::Create(*answer);
  REQUIRE(offerer.ok());
  REQUIRE(answerer.ok());
  CHECK((*offerer)->suite() == SrtpSuite::kAesCm128HmacSha1_80);

  const Packet plain = MakeRtp(3);
  Packet wire = plain;
  REQUIRE((*offerer)->protect(wire.bytes.data(), wire.size, wire.bytes.size()));
  REQUIRE((*answerer)->unprotect(wire.bytes.data(), wire.size));
  CHECK(SameBytes(wire, plain));
  wire = plain;
  REQUIRE((*answerer)->protect(wire.bytes.data(), wire.size, wire.bytes.size()));
  REQUIRE((*offerer)->unprotect(wire.bytes.data(), wire.size));
  CHECK(SameBytes(wire, plain));
}

TEST_CASE("Create refuses keys of the wrong length") {
  std::string shortKey(16, 'x'), goodKey(30, 'y');
  CHECK_FALSE(SrtpSession::Create(SrtpSuite::kAesCm128HmacSha1_80, shortKey, goodKey).ok());
  CHECK_FALSE(SrtpSession::Create(SrtpSuite::kAesCm128HmacSha1_80, goodKey, shortKey).ok());
  CHECK_FALSE(SrtpSession::Create(SrtpSuite::kAeadAes128Gcm, goodKey, goodKey).ok());
  CHECK(SrtpSession::Create(SrtpSuite::kAesCm128HmacSha1_80, goodKey, goodKey).ok());
}

}  // namespace
}  // namespace pbx::media::internal
