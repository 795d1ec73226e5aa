// Symmetric RTP: latching onto where a phone really sends from, strangers, re-latching after
// silence (under simulated time), re-offers, and the SDP-only mode.
#include <doctest/doctest.h>

#include "lib/media/rtp/media_engine_impl.h"
#include "lib/media/rtp/relay_core.h"
#include "pbx/base/time_source.h"
#include "tests/unit/media/test_engine.h"
#include "tests/unit/media/udp_phone.h"

namespace pbx::media {
namespace {

using internal::MediaEngineImpl;
using internal::RelayCore;
using testing::ClosedPort;
using testing::RtpPacket;
using testing::UdpPhone;
using testing::WaitUntil;

struct Fixture {
  explicit Fixture(RelayOptions relayOptions = {}) {
    engine = testing::MakeTestEngine(time, 29000, 29499);
    auto made = engine->createRelay(relayOptions);
    REQUIRE(made.ok());
    relay = std::move(*made);
    REQUIRE((a.ok() && b.ok() && stranger.ok()));
  }
  ~Fixture() { relay.reset(); }

  SocketAddress pbxA() const { return relay->localAddress(RelaySide::kA); }
  SocketAddress pbxB() const { return relay->localAddress(RelaySide::kB); }
  bool received(RelaySide side, uint64_t packets) const {
    return WaitUntil([&] { return relay->stats(side).packetsReceived >= packets; });
  }

  SimulatedTimeSource time;
  std::unique_ptr<MediaEngineImpl> engine;
  RtpRelayPtr relay;
  UdpPhone a;
  UdpPhone b;
  UdpPhone stranger;
};

TEST_CASE("symmetric RTP - media reaches a phone at its real source - not its SDP address") {
  Fixture f;
  const SocketAddress wrong = *SocketAddress::Parse("127.0.0.1", ClosedPort());
  f.relay->setRemote(RelaySide::kA, wrong);  // what a phone behind NAT puts in its SDP
  f.relay->setRemote(RelaySide::kB, f.b.address());

  // Before A speaks, B's media goes to the SDP address (lost in the network, not at A).
  REQUIRE(f.b.sendTo(f.pbxB(), RtpPacket(1)));
  REQUIRE(f.received(RelaySide::kB, 1));
  CHECK(f.a.idle());

  REQUIRE(f.a.sendTo(f.pbxA(), RtpPacket(1)));
  REQUIRE(f.b.receive().has_value());
  REQUIRE(f.b.sendTo(f.pbxB(), RtpPacket(2)));
  auto got = f.a.receive();
  REQUIRE(got.has_value());
  CHECK(got->data == RtpPacket(2));
}

TEST_CASE("once latched - packets from a stranger are dropped and counted") {
  Fixture f;
  f.relay->setRemote(RelaySide::kA, f.a.address());
  f.relay->setRemote(RelaySide::kB, f.b.address());
  REQUIRE(f.a.sendTo(f.pbxA(), RtpPacket(1)));
  REQUIRE(f.b.receive().has_value());

  REQUIRE(f.stranger.sendTo(f.pbxA(), RtpPacket(99)));
  REQUIRE(f.received(RelaySide::kA, 2));
  CHECK(f.b.idle());
  CHECK(f.relay->stats(RelaySide::kA).packetsDropped == 1);

  // B's media still goes to the latched phone, not to the stranger.
  REQUIRE(f.b.sendTo(f.pbxB(), RtpPacket(1)));
  REQUIRE(f.a.receive().has_value());
  CHECK(f.stranger.idle());
}

TEST_CASE("a new source takes over after the latched one has been silent long enough") {
  Fixture f;
  f.relay->setRemote(RelaySide::kB, f.b.address());
  REQUIRE(f.a.sendTo(f.pbxA(), RtpPacket(1)));
  REQUIRE(f.b.receive().has_value());

  f.time.advance(RelayCore::kRelatchAfterSilence - std::chrono::milliseconds(1));
  REQUIRE(f.stranger.sendTo(f.pbxA(), RtpPacket(2)));  // not silent long enough yet
  REQUIRE(f.received(RelaySide::kA, 2));
  CHECK(f.relay->stats(RelaySide::kA).packetsDropped == 1);

  f.time.advance(std::chrono::milliseconds(1));
  REQUIRE(f.stranger.sendTo(f.pbxA(), RtpPacket(3)));  // the phone moved: re-latch
  auto got = f.b.receive();
  REQUIRE(got.has_value());
  CHECK(got->data == RtpPacket(3));
  REQUIRE(f.b.sendTo(f.pbxB(), RtpPacket(1)));
  REQUIRE(f.stranger.receive().has_value());
  CHECK(f.a.idle());

  // Now the old source is the stranger.
  REQUIRE(f.a.sendTo(f.pbxA(), RtpPacket(4)));
  REQUIRE(f.received(RelaySide::kA, 4));
  CHECK(f.relay->stats(RelaySide::kA).packetsDropped == 2);
}

TEST_CASE("a re-offer with a new address releases the latch - the same address keeps it") {
  Fixture f;
  f.relay->setRemote(RelaySide::kA, f.a.address());
  f.relay->setRemote(RelaySide::kB, f.b.address());
  REQUIRE(f.a.sendTo(f.pbxA(), RtpPacket(1)));
  REQUIRE(f.b.receive().has_value());

  f.relay->setRemote(RelaySide::kA, f.a.address());  // session refresh: same SDP
  REQUIRE(f.stranger.sendTo(f.pbxA(), RtpPacket(2)));
  REQUIRE(f.received(RelaySide::kA, 2));
  CHECK(f.b.idle());

  f.relay->setRemote(RelaySide::kA, f.stranger.address());  // re-INVITE: the phone moved
  REQUIRE(f.stranger.sendTo(f.pbxA(), RtpPacket(3)));
  auto got = f.b.receive();
  REQUIRE(got.has_value());
  CHECK(got->data == RtpPacket(3));
}

TEST_CASE("without symmetric RTP - media goes only to the SDP address") {
  RelayOptions options;
  options.symmetricRtp = false;
  Fixture f(options);
  f.relay->setRemote(RelaySide::kA, f.stranger.address());  // SDP says "stranger"
  f.relay->setRemote(RelaySide::kB, f.b.address());

  REQUIRE(f.a.sendTo(f.pbxA(), RtpPacket(1)));  // accepted from anywhere
  REQUIRE(f.b.receive().has_value());
  REQUIRE(f.b.sendTo(f.pbxB(), RtpPacket(2)));
  auto got = f.stranger.receive();
  REQUIRE(got.has_value());
  CHECK(got->data == RtpPacket(2));
  CHECK(f.a.idle());

  f.relay->setRemote(RelaySide::kA, SocketAddress{});  // on hold: nowhere to send
  REQUIRE(f.b.sendTo(f.pbxB(), RtpPacket(3)));
  REQUIRE(f.received(RelaySide::kB, 2));
  CHECK(f.relay->stats(RelaySide::kB).packetsDropped == 1);
  CHECK(f.stranger.idle());
}

}  // namespace
}  // namespace pbx::media
