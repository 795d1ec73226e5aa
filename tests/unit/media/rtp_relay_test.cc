// The relay packet path with real UDP sockets on 127.0.0.1: both directions, RTCP, junk,
// hold, and sides without a destination.
#include <doctest/doctest.h>

#include "pbx/media/media_engine.h"
#include "tests/unit/media/udp_phone.h"

namespace pbx::media {
namespace {

using testing::Bytes;
using testing::RtcpPacket;
using testing::RtpPacket;
using testing::UdpPhone;
using testing::WaitUntil;

MediaEnginePtr MakeEngine(int threads = 1) {
  MediaEngineOptions options;
  options.address = "127.0.0.1";
  options.portMin = 28000;
  options.portMax = 28999;
  options.threads = threads;
  auto engine = CreateMediaEngine(options);
  REQUIRE(engine.ok());
  return std::move(*engine);
}

// Two phones talking through one relay: phone `a` on side A, phone `b` on side B.
struct Call {
  explicit Call(MediaEngine& engine, RelayOptions options = {}) {
    auto created = engine.createRelay(options);
    REQUIRE(created.ok());
    relay = std::move(*created);
    REQUIRE((a.ok() && b.ok()));
  }
  void connect() {
    relay->setRemote(RelaySide::kA, a.address());
    relay->setRemote(RelaySide::kB, b.address());
  }
  SocketAddress pbxA() const { return relay->localAddress(RelaySide::kA); }
  SocketAddress pbxB() const { return relay->localAddress(RelaySide::kB); }
  bool received(RelaySide side, uint64_t packets) const {
    return WaitUntil([&] { return relay->stats(side).packetsReceived >= packets; });
  }

  RtpRelayPtr relay;
  UdpPhone a;
  UdpPhone b;
};

TEST_CASE("RTP flows both ways through a relay - unchanged - and is counted") {
  auto engine = MakeEngine();
  {
    Call call(*engine);
    call.connect();
    CHECK(call.pbxA().ip() == "127.0.0.1");
    CHECK(call.pbxA().port() % 2 == 0);
    CHECK(call.pbxA().port() != call.pbxB().port());

    for (uint16_t seq = 1; seq <= 5; ++seq) {
      const Bytes sent = RtpPacket(seq, 160, 0x11);
      REQUIRE(call.a.sendTo(call.pbxA(), sent));
      auto got = call.b.receive();
      REQUIRE(got.has_value());
      CHECK(got->data == sent);
      CHECK(got->from == call.pbxB());  // media comes from the PBX, not from the other phone
    }
    for (uint16_t seq = 1; seq <= 3; ++seq) {
      const Bytes sent = RtpPacket(seq, 80, 0x22);
      REQUIRE(call.b.sendTo(call.pbxB(), sent));
      auto got = call.a.receive();
      REQUIRE(got.has_value());
      CHECK(got->data == sent);
      CHECK(got->from == call.pbxA());
    }
    // The counters of a batch are complete once its packets show up in packetsReceived.
    REQUIRE(call.received(RelaySide::kB, 3));

    const RtpSideStats a = call.relay->stats(RelaySide::kA);
    const RtpSideStats b = call.relay->stats(RelaySide::kB);
    CHECK(a.packetsReceived == 5);
    CHECK(a.bytesReceived == 5 * 172);
    CHECK(a.packetsSent == 3);
    CHECK(a.bytesSent == 3 * 92);
    CHECK(a.packetsDropped == 0);
    CHECK(b.packetsReceived == 3);
    CHECK(b.bytesReceived == 3 * 92);
    CHECK(b.packetsSent == 5);
    CHECK(b.bytesSent == 5 * 172);
    CHECK(b.packetsDropped == 0);

    const MediaEngineStats stats = engine->stats();
    CHECK(stats.relaysActive == 1);
    CHECK(stats.packetsRelayed == 8);
    CHECK(stats.bytesRelayed == 5 * 172 + 3 * 92);
    CHECK(stats.packetsDropped == 0);
  }
  CHECK(engine->stats().relaysActive == 0);
}

TEST_CASE("RTCP is relayed between the odd ports - RTP socket to RTP socket only") {
  auto engine = MakeEngine();
  Call call(*engine);
  call.connect();
  UdpPhone rtcpA;
  UdpPhone rtcpB;
  REQUIRE((rtcpA.ok() && rtcpB.ok()));
  const SocketAddress pbxRtcpA = call.pbxA().withPort(call.pbxA().port() + 1);
  const SocketAddress pbxRtcpB = call.pbxB().withPort(call.pbxB().port() + 1);

  // B's RTCP port is not port + 1 of its RTP port, so B's first RTCP packet latches it.
  REQUIRE(rtcpB.sendTo(pbxRtcpB, RtcpPacket()));
  REQUIRE(call.received(RelaySide::kB, 1));
  REQUIRE(rtcpA.sendTo(pbxRtcpA, RtcpPacket()));
  auto got = rtcpB.receive();
  REQUIRE(got.has_value());
  CHECK(got->data == RtcpPacket());
  CHECK(got->from == pbxRtcpB);
  CHECK(call.b.idle());  // nothing leaked onto the RTP socket

  // A's RTCP (latched from rtcpA) gets the first packet that B sent once A's RTCP latched.
  REQUIRE(rtcpB.sendTo(pbxRtcpB, RtcpPacket()));
  got = rtcpA.receive();
  REQUIRE(got.has_value());
  CHECK(got->from == pbxRtcpA);
}

TEST_CASE("without an RTCP packet from a phone - its RTCP goes to its RTP address + 1") {
  auto engine = MakeEngine();
  Call call(*engine);
  // A phone whose RTCP port is its RTP port + 1: find such a pair among free ports.
  std::unique_ptr<UdpPhone> rtp;
  std::unique_ptr<UdpPhone> rtcp;
  for (uint16_t port = 40000; port < 41000 && !(rtp && rtcp); port += 2) {
    rtp = std::make_unique<UdpPhone>("127.0.0.1", port);
    rtcp = std::make_unique<UdpPhone>("127.0.0.1", port + 1);
    if (!rtp->ok() || !rtcp->ok()) rtp.reset(), rtcp.reset();
  }
  REQUIRE((rtp && rtcp));
  call.relay->setRemote(RelaySide::kB, rtp->address());
  REQUIRE(call.a.sendTo(call.pbxA().withPort(call.pbxA().port() + 1), RtcpPacket()));
  auto got = rtcp->receive();
  REQUIRE(got.has_value());
  CHECK(got->data == RtcpPacket());
}

TEST_CASE("malformed packets are dropped and counted - the relay keeps working") {
  auto engine = MakeEngine();
  Call call(*engine);
  call.connect();

  Bytes versionZero = RtpPacket(1);
  versionZero[0] = 0x00;
  Bytes junk(200);
  for (size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<uint8_t>(i * 131 + 7);
  junk[0] = 0x47;                        // version 1
  Bytes oversized = RtpPacket(2, 4000);  // larger than any receive buffer: arrives truncated
  const Bytes bad[] = {Bytes{0x80}, versionZero, junk, Bytes{}, Bytes(11, 0x80), oversized};
  for (const Bytes& packet : bad) REQUIRE(call.a.sendTo(call.pbxA(), packet));
  // Too short for RTCP, sent to the RTCP port.
  REQUIRE(call.a.sendTo(call.pbxA().withPort(call.pbxA().port() + 1), Bytes{0x80, 200, 0, 0}));
  REQUIRE(call.received(RelaySide::kA, 7));
  CHECK(call.b.idle());

  const Bytes good = RtpPacket(3);
  REQUIRE(call.a.sendTo(call.pbxA(), good));
  auto got = call.b.receive();
  REQUIRE(got.has_value());
  CHECK(got->data == good);
  REQUIRE(call.received(RelaySide::kA, 8));

  const RtpSideStats a = call.relay->stats(RelaySide::kA);
  CHECK(a.packetsReceived == 8);
  CHECK(a.packetsDropped == 7);
  CHECK(call.relay->stats(RelaySide::kB).packetsSent == 1);
  CHECK(engine->stats().packetsDropped == 7);
  CHECK(engine->stats().packetsRelayed == 1);
}

TEST_CASE("setForwarding(false) holds back one direction only") {
  auto engine = MakeEngine();
  Call call(*engine);
  call.connect();
  call.relay->setForwarding(RelaySide::kA, false);

  for (uint16_t seq = 1; seq <= 3; ++seq) REQUIRE(call.a.sendTo(call.pbxA(), RtpPacket(seq)));
  REQUIRE(call.received(RelaySide::kA, 3));
  CHECK(call.b.idle());
  CHECK(call.relay->stats(RelaySide::kA).packetsDropped == 0);  // held, not dropped
  CHECK(call.relay->stats(RelaySide::kB).packetsSent == 0);

  REQUIRE(call.b.sendTo(call.pbxB(), RtpPacket(7)));  // the other direction still flows
  REQUIRE(call.a.receive().has_value());

  call.relay->setForwarding(RelaySide::kA, true);
  REQUIRE(call.a.sendTo(call.pbxA(), RtpPacket(4)));
  auto got = call.b.receive();
  REQUIRE(got.has_value());
  CHECK(got->data == RtpPacket(4));
}

TEST_CASE("packets towards a side with no known destination are dropped and counted") {
  auto engine = MakeEngine();
  Call call(*engine);
  call.relay->setRemote(RelaySide::kA, call.a.address());
  call.relay->setRemote(RelaySide::kB, call.b.address().withPort(0));  // port 0: unknown
  REQUIRE(call.a.sendTo(call.pbxA(), RtpPacket(1)));
  REQUIRE(call.received(RelaySide::kA, 1));
  CHECK(call.relay->stats(RelaySide::kA).packetsDropped == 1);
  CHECK(call.b.idle());

  // B speaks: it latches, and from then on A's media reaches it.
  REQUIRE(call.b.sendTo(call.pbxB(), RtpPacket(1)));
  REQUIRE(call.a.receive().has_value());
  REQUIRE(call.a.sendTo(call.pbxA(), RtpPacket(2)));
  auto got = call.b.receive();
  REQUIRE(got.has_value());
  CHECK(got->data == RtpPacket(2));
}

}  // namespace
}  // namespace pbx::media
