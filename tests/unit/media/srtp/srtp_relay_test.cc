// SRTP on the terminated relay: side A is a phone speaking SRTP (SDES keys), side B a plain one.
// The test plays both phones: it protects A's packets with the phone's own SrtpSession and checks
// what the relay sends each of them, by decoding it and measuring the tone.
#include <doctest/doctest.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "lib/media/codec/audio_codec.h"
#include "lib/media/rtp/rtp_header.h"
#include "lib/media/srtp/sdes.h"
#include "lib/media/srtp/srtp_session.h"
#include "lib/media/terminated/side_stream.h"
#include "lib/media/terminated/terminated_relay.h"
#include "tests/unit/media/signal_test_util.h"

namespace pbx::media::internal {
namespace {

using std::chrono::milliseconds;
using Bytes = std::vector<uint8_t>;

class NoEvents : public EventOutput {
 public:
  void report(const MediaEvent&) override {}
};

class Capture : public PacketOutput {
 public:
  void sendRtp(RelaySide side, const uint8_t* data, size_t size) override {
    sent[static_cast<size_t>(side)].emplace_back(data, data + size);
  }
  std::vector<Bytes> sent[2];
};

// Both ends' keys, as SDES would have settled them: the relay's side A format, and the phone's
// session (it sends with its key, the relay's local one is what it receives with).
struct Keys {
  SrtpKeys relay;
  std::unique_ptr<SrtpSession> phone;
};

Keys MakeKeys(SrtpSuite suite) {
  auto ours = GenerateCryptoAttribute(1, suite);
  auto phones = GenerateCryptoAttribute(1, suite);
  REQUIRE(ours.ok());
  REQUIRE(phones.ok());
  Keys keys;
  keys.relay = {std::string(SuiteName(suite)), ours->keySaltBase64, phones->keySaltBase64};
  auto phone = SrtpSession::Create(suite, *phones->DecodeKeySalt(), *ours->DecodeKeySalt());
  REQUIRE(phone.ok());
  keys.phone = std::move(*phone);
  return keys;
}

StreamFormat Pcmu() {
  StreamFormat format;
  format.codec = "PCMU";
  format.payloadType = 0;
  return format;
}

// A phone sending a steady tone in PCMU, one packet per 20 ms.
class TonePhone {
 public:
  TonePhone(double frequency, uint32_t ssrc) : sine_(frequency, 8000.0, kGraphRate) {
    encoder_ = *CreateEncoder({.name = "PCMU"});
    header_.ssrc = ssrc;
    header_.sequence = 100;
    header_.timestamp = 5000;
  }

  Bytes next() {
    AudioFrame frame;
    sine_.fill(frame.data(), kFrameSamples);
    Bytes packet(SideStream::kMaxPacket);
    size_t size = WriteRtpHeader(header_, packet.data());
    size += encoder_->encode(frame, packet.data() + size, packet.size() - size);
    packet.resize(size);
    ++header_.sequence;
    header_.timestamp += 160;
    return packet;
  }

 private:
  testutil::SineGenerator sine_;
  AudioEncoderPtr encoder_;
  RtpHeader header_;
};

Bytes Protect(SrtpSession& session, Bytes packet) {
  size_t size = packet.size();
  packet.resize(size + SrtpSession::kMaxOverhead);
  REQUIRE(session.protect(packet.data(), size, packet.size()));
  packet.resize(size);
  return packet;
}

// Decodes PCMU packets (plain RTP) into 16 kHz samples; fails on anything that does not parse.
std::vector<int16_t> Decode(const std::vector<Bytes>& packets) {
  auto decoder = *CreateDecoder({.name = "PCMU"});
  std::vector<int16_t> pcm;
  int16_t buffer[kMaxDecodedSamples];
  for (const Bytes& packet : packets) {
    auto rtp = ParseRtp(packet.data(), packet.size());
    REQUIRE(rtp.has_value());
    REQUIRE(rtp->header.payloadType == 0);
    const int n = decoder->decode(rtp->payload, rtp->payloadSize, buffer, kMaxDecodedSamples);
    REQUIRE(n > 0);
    pcm.insert(pcm.end(), buffer, buffer + n);
  }
  return pcm;
}

// The second half of a decoded stream: past the jitter buffer's start-up silence.
std::vector<int16_t> Settled(const std::vector<int16_t>& pcm) {
  return {pcm.begin() + static_cast<ptrdiff_t>(pcm.size() / 2), pcm.end()};
}

struct Harness {
  NoEvents events;
  TerminatedRelay relay{events};
  Capture output;
  MonotonicTime now{};

  // One 20 ms step: a packet from each phone (either may be empty: nothing sent), then a tick.
  void step(const Bytes& fromA, const Bytes& fromB) {
    if (!fromA.empty()) relay.receive(RelaySide::kA, fromA.data(), fromA.size(), now);
    if (!fromB.empty()) relay.receive(RelaySide::kB, fromB.data(), fromB.size(), now);
    relay.tick(now, output);
    now += milliseconds(20);
  }
};

}  // namespace

TEST_CASE("a leg with SRTP keys makes the relay terminate; plain equal legs still relay") {
  NoEvents events;
  TerminatedRelay relay(events);
  relay.setFormat(RelaySide::kA, Pcmu());
  relay.setFormat(RelaySide::kB, Pcmu());
  CHECK_FALSE(relay.terminating());

  StreamFormat secure = Pcmu();
  secure.srtp = MakeKeys(SrtpSuite::kAesCm128HmacSha1_80).relay;
  CHECK_FALSE(secure == Pcmu());
  relay.setFormat(RelaySide::kA, secure);
  CHECK(relay.terminating());
  // The same keys on both legs too: each phone has keys of its own, so nothing passes as is.
  relay.setFormat(RelaySide::kB, secure);
  CHECK(relay.terminating());
  relay.setFormat(RelaySide::kA, Pcmu());
  relay.setFormat(RelaySide::kB, Pcmu());
  CHECK_FALSE(relay.terminating());
}

TEST_CASE("SRTP phone on A, plain phone on B: audio crosses both ways, decrypted and encrypted") {
  for (SrtpSuite suite : SrtpSession::AvailableSuites()) {
    CAPTURE(SuiteName(suite));
    Keys keys = MakeKeys(suite);
    Harness h;
    StreamFormat secure = Pcmu();
    secure.srtp = keys.relay;
    h.relay.setFormat(RelaySide::kA, secure);
    h.relay.setFormat(RelaySide::kB, Pcmu());
    REQUIRE(h.relay.terminating());

    TonePhone phoneA(1000.0, 0xA0A0A0A0), phoneB(600.0, 0xB0B0B0B0);
    constexpr int kSteps = 100;
    for (int i = 0; i < kSteps; ++i) h.step(Protect(*keys.phone, phoneA.next()), phoneB.next());

    // B hears A's tone, in plain RTP (exactly header + 160 bytes of PCMU, no tag).
    const auto& toB = h.output.sent[1];
    REQUIRE(toB.size() >= kSteps - 1);
    for (const Bytes& packet : toB) CHECK(packet.size() == 12 + 160);
    std::vector<int16_t> heardByB = Settled(Decode(toB));
    CHECK(testutil::DominantFrequency(heardByB.data(), heardByB.size(), kGraphRate) ==
          doctest::Approx(1000.0).epsilon(0.02));
    CHECK(testutil::RmsDb(heardByB.data(), heardByB.size()) > -20.0);

    // A gets B's tone protected: the phone's session authenticates every packet.
    std::vector<Bytes> toA = h.output.sent[0];
    REQUIRE(toA.size() >= kSteps - 1);
    for (Bytes& packet : toA) {
      size_t size = packet.size();
      CHECK(size > 12 + 160);  // the tag
      REQUIRE(keys.phone->unprotect(packet.data(), size));
      packet.resize(size);
    }
    std::vector<int16_t> heardByA = Settled(Decode(toA));
    CHECK(testutil::DominantFrequency(heardByA.data(), heardByA.size(), kGraphRate) ==
          doctest::Approx(600.0).epsilon(0.02));
    CHECK(testutil::RmsDb(heardByA.data(), heardByA.size()) > -20.0);

    const SrtpSession::Stats stats = h.relay.srtpStats(RelaySide::kA);
    CHECK(stats.rtpUnprotected == kSteps);
    CHECK(stats.rtpProtected == toA.size());
    CHECK(stats.authFailures == 0);
    CHECK(h.relay.srtpStats(RelaySide::kB).rtpUnprotected == 0);
  }
}

TEST_CASE("a tampered or replayed SRTP packet is dropped and counted") {
  Keys keys = MakeKeys(SrtpSuite::kAesCm128HmacSha1_80);
  Harness h;
  StreamFormat secure = Pcmu();
  secure.srtp = keys.relay;
  h.relay.setFormat(RelaySide::kA, secure);
  h.relay.setFormat(RelaySide::kB, Pcmu());
  TonePhone phoneA(1000.0, 0x1234);

  for (int i = 0; i < 10; ++i) h.step(Protect(*keys.phone, phoneA.next()), {});
  Bytes tampered = Protect(*keys.phone, phoneA.next());
  tampered[20] ^= 0x01;  // one bit of the payload
  h.step(tampered, {});
  Bytes good = Protect(*keys.phone, phoneA.next());
  h.step(good, {});
  h.step(good, {});  // the same packet again: a replay

  const SrtpSession::Stats stats = h.relay.srtpStats(RelaySide::kA);
  CHECK(stats.rtpUnprotected == 11);
  CHECK(stats.authFailures == 1);
  CHECK(stats.replayFailures == 1);

  // Garbage and runts never reach the decoder, and never crash it.
  const uint8_t runt[] = {0x80, 0x00, 0x01};
  h.relay.receive(RelaySide::kA, runt, sizeof runt, h.now);
  Bytes huge(SideStream::kMaxReceived + 1, 0x80);
  h.relay.receive(RelaySide::kA, huge.data(), huge.size(), h.now);
  CHECK(h.relay.srtpStats(RelaySide::kA).malformed == 2);
  CHECK(h.relay.srtpStats(RelaySide::kA).rtpUnprotected == 11);
}

TEST_CASE("a phone with the wrong key is heard as silence, every packet an auth failure") {
  Keys keys = MakeKeys(SrtpSuite::kAesCm128HmacSha1_80);
  Keys stranger = MakeKeys(SrtpSuite::kAesCm128HmacSha1_80);
  Harness h;
  StreamFormat secure = Pcmu();
  secure.srtp = keys.relay;
  h.relay.setFormat(RelaySide::kA, secure);
  h.relay.setFormat(RelaySide::kB, Pcmu());
  TonePhone phoneA(1000.0, 0x4321);
  constexpr int kSteps = 50;
  for (int i = 0; i < kSteps; ++i) h.step(Protect(*stranger.phone, phoneA.next()), {});

  CHECK(h.relay.srtpStats(RelaySide::kA).authFailures == kSteps);
  CHECK(h.relay.srtpStats(RelaySide::kA).rtpUnprotected == 0);
  std::vector<int16_t> heardByB = Decode(h.output.sent[1]);
  CHECK(testutil::RmsDb(heardByB.data(), heardByB.size()) < -60.0);
}

TEST_CASE("SRTP counts survive a key change (re-INVITE)") {
  Keys first = MakeKeys(SrtpSuite::kAesCm128HmacSha1_80);
  Keys second = MakeKeys(SrtpSuite::kAesCm128HmacSha1_32);
  Harness h;
  StreamFormat secure = Pcmu();
  secure.srtp = first.relay;
  h.relay.setFormat(RelaySide::kA, secure);
  h.relay.setFormat(RelaySide::kB, Pcmu());
  TonePhone phoneA(1000.0, 0x5555);
  for (int i = 0; i < 5; ++i) h.step(Protect(*first.phone, phoneA.next()), {});
  secure.srtp = second.relay;
  h.relay.setFormat(RelaySide::kA, secure);
  // Late packets under the old key fail now; new ones pass.
  h.step(Protect(*first.phone, phoneA.next()), {});
  for (int i = 0; i < 5; ++i) h.step(Protect(*second.phone, phoneA.next()), {});
  const SrtpSession::Stats stats = h.relay.srtpStats(RelaySide::kA);
  CHECK(stats.rtpUnprotected == 10);
  CHECK(stats.authFailures == 1);
}

TEST_CASE("keys that do not decode leave the side mute instead of failing open") {
  Harness h;
  StreamFormat secure = Pcmu();
  secure.srtp = SrtpKeys{"AES_CM_128_HMAC_SHA1_80", "not base64!", "also not"};
  h.relay.setFormat(RelaySide::kA, secure);
  h.relay.setFormat(RelaySide::kB, Pcmu());
  CHECK(h.relay.terminating());
  TonePhone phoneA(1000.0, 0x7777);
  for (int i = 0; i < 10; ++i) h.step(phoneA.next(), {});
  CHECK(h.output.sent[0].empty());  // nothing to A: no stream could be made
  std::vector<int16_t> heardByB = Decode(h.output.sent[1]);
  CHECK(testutil::RmsDb(heardByB.data(), heardByB.size()) < -60.0);
}

}  // namespace pbx::media::internal
