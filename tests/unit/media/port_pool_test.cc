// The idle pool of port pairs (under simulated time): a closed relay's pairs rest before a
// new relay takes them, the one idle longest first and without binding; packets reaching an
// idle pair are dropped and never reach the relay that takes it next; pairs idle too long are
// closed and their ports freed.
#include <doctest/doctest.h>

#include "lib/media/rtp/media_engine_impl.h"
#include "lib/media/rtp/media_thread.h"
#include "pbx/base/time_source.h"
#include "tests/unit/media/test_engine.h"
#include "tests/unit/media/udp_phone.h"

namespace pbx::media {
namespace {

using internal::MediaEngineImpl;
using internal::MediaThread;
using testing::RtpPacket;
using testing::UdpPhone;
using testing::WaitUntil;

constexpr size_t kPairs = 50;

struct Pool {
  Pool() : engine(testing::MakeTestEngine(time, 29800, 29899)) {}

  RtpRelayPtr relay() {
    auto made = engine->createRelay({});
    REQUIRE(made.ok());
    return std::move(*made);
  }
  // Destroys `relay` and waits until the media thread has put its pairs into the pool.
  void close(RtpRelayPtr& relay) {
    const size_t idle = engine->idlePairs();
    relay.reset();
    REQUIRE(WaitUntil([&] { return engine->idlePairs() == idle + 2; }));
  }
  size_t boundPairs() const { return kPairs - engine->ports().freePairs(); }

  SimulatedTimeSource time;
  std::unique_ptr<MediaEngineImpl> engine;
};

uint16_t PortOf(const RtpRelayPtr& relay, RelaySide side) {
  return relay->localAddress(side).port();
}

TEST_CASE("a closed relay's pairs rest in the pool - then the next relay takes them unbound") {
  Pool pool;
  RtpRelayPtr first = pool.relay();
  const uint16_t firstA = PortOf(first, RelaySide::kA);
  const uint16_t firstB = PortOf(first, RelaySide::kB);
  pool.close(first);
  CHECK(pool.boundPairs() == 2);

  // Too soon: a new relay binds pairs of its own.
  RtpRelayPtr second = pool.relay();
  CHECK(PortOf(second, RelaySide::kA) != firstA);
  CHECK(PortOf(second, RelaySide::kB) != firstB);
  CHECK(pool.boundPairs() == 4);
  pool.close(second);

  // Rested: the pairs idle longest go first, in the order they were given back.
  pool.time.advance(MediaThread::kReuseAfter);
  RtpRelayPtr third = pool.relay();
  CHECK(PortOf(third, RelaySide::kA) == firstA);
  CHECK(PortOf(third, RelaySide::kB) == firstB);
  CHECK(pool.boundPairs() == 4);
  CHECK(pool.engine->idlePairs() == 2);
}

TEST_CASE(
    "packets reaching an idle pair are dropped and counted - the next relay never sees them") {
  Pool pool;
  UdpPhone a;
  UdpPhone b;
  UdpPhone stranger;
  REQUIRE((a.ok() && b.ok() && stranger.ok()));
  RtpRelayPtr old = pool.relay();
  const SocketAddress pbxA = old->localAddress(RelaySide::kA);
  pool.close(old);

  for (uint16_t seq = 1; seq <= 3; ++seq) REQUIRE(stranger.sendTo(pbxA, RtpPacket(seq, 20, 0x33)));
  REQUIRE(WaitUntil([&] { return pool.engine->stats().packetsDropped == 3; }));

  pool.time.advance(MediaThread::kReuseAfter);
  RtpRelayPtr relay = pool.relay();
  REQUIRE(relay->localAddress(RelaySide::kA) == pbxA);
  relay->setRemote(RelaySide::kB, b.address());
  const testing::Bytes sent = RtpPacket(7, 160, 0x44);
  REQUIRE(a.sendTo(pbxA, sent));
  auto got = b.receive();
  REQUIRE(got.has_value());
  CHECK(got->data == sent);
  // Counted once the batch is done (after the send): wait for it, then check it is only ours.
  REQUIRE(WaitUntil([&] { return relay->stats(RelaySide::kA).packetsReceived >= 1; }));
  CHECK(relay->stats(RelaySide::kA).packetsReceived == 1);
  // Side A latched onto phone a, not onto the stranger that was there first.
  REQUIRE(b.sendTo(relay->localAddress(RelaySide::kB), RtpPacket(8, 160, 0x55)));
  CHECK(a.receive().has_value());
  CHECK_FALSE(stranger.receive(std::chrono::milliseconds(100)).has_value());
}

TEST_CASE("pairs idle for kIdleClose are closed - their ports are free again") {
  Pool pool;
  RtpRelayPtr relay = pool.relay();
  const uint16_t port = PortOf(relay, RelaySide::kA);
  pool.close(relay);
  {
    UdpPhone squatter("127.0.0.1", port);
    CHECK_FALSE(squatter.ok());  // still bound by the pool
  }
  pool.time.advance(MediaThread::kIdleClose);
  REQUIRE(WaitUntil([&] { return pool.engine->idlePairs() == 0 && pool.boundPairs() == 0; }));
  UdpPhone squatter("127.0.0.1", port);
  CHECK(squatter.ok());
}

TEST_CASE("with the range used up - a relay goes to whichever thread has idle pairs") {
  SimulatedTimeSource time;
  auto engine = testing::MakeTestEngine(time, 29900, 29907, 3);  // four pairs: two relays
  auto first = engine->createRelay({});
  auto second = engine->createRelay({});
  REQUIRE((first.ok() && second.ok()));
  first->reset();
  REQUIRE(WaitUntil([&] { return engine->idlePairs() == 2; }));
  // The least-loaded thread is one with no relay and no pool; the pairs are on another.
  for (int round = 0; round < 3; ++round) {
    auto again = engine->createRelay({});
    REQUIRE_MESSAGE(again.ok(), again.status().ToString());
    again->reset();
    REQUIRE(WaitUntil([&] { return engine->idlePairs() == 2; }));
  }
}

}  // namespace
}  // namespace pbx::media
