// The engine: port range exhaustion and reuse, options, IPv6, several media threads, and
// destroying relays while packets are flowing.
#include <doctest/doctest.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

#include "lib/media/rtp/media_engine_impl.h"
#include "pbx/base/time_source.h"
#include "pbx/media/media_engine.h"
#include "tests/unit/media/test_engine.h"
#include "tests/unit/media/udp_phone.h"

namespace pbx::media {
namespace {

using internal::MediaEngineImpl;
using testing::Bytes;
using testing::RtpPacket;
using testing::UdpPhone;
using testing::WaitUntil;

const RealTimeSource kRealTime;

std::unique_ptr<MediaEngineImpl> MakeEngine(uint16_t portMin, uint16_t portMax, int threads = 1,
                                            const std::string& address = "127.0.0.1") {
  return testing::MakeTestEngine(kRealTime, portMin, portMax, threads, address);
}

TEST_CASE("bad options are refused") {
  MediaEngineOptions options;
  options.address = "pbx.example.com";
  CHECK(absl::IsInvalidArgument(CreateMediaEngine(options).status()));
  options.address = "127.0.0.1";
  options.portMin = 30010;
  options.portMax = 30000;
  CHECK(absl::IsInvalidArgument(CreateMediaEngine(options).status()));
  options.portMin = 30001;
  options.portMax = 30002;  // no even port with its odd neighbour
  CHECK(absl::IsInvalidArgument(CreateMediaEngine(options).status()));
}

TEST_CASE("a tiny port range runs out - and its pairs are reused once a relay is gone") {
  auto engine = MakeEngine(29600, 29607, 1);  // four pairs: two relays
  auto first = engine->createRelay({});
  auto second = engine->createRelay({});
  REQUIRE((first.ok() && second.ok()));
  auto third = engine->createRelay({});
  CHECK(absl::IsResourceExhausted(third.status()));
  CHECK(engine->stats().relaysActive == 2);

  const SocketAddress freedA = (*first)->localAddress(RelaySide::kA);
  first->reset();
  // The close runs on the media thread; the pairs join its idle pool once it has, and with
  // the range used up the next relay takes them at once, however short their rest.
  REQUIRE(WaitUntil([&] { return engine->idlePairs() == 2; }));
  CHECK(engine->ports().freePairs() == 0);
  auto again = engine->createRelay({});
  REQUIRE(again.ok());
  CHECK(((*again)->localAddress(RelaySide::kA) == freedA ||
         (*again)->localAddress(RelaySide::kB) == freedA));
  CHECK(engine->stats().relaysActive == 2);
}

TEST_CASE("port pairs held by another process are skipped") {
  UdpPhone squatter("127.0.0.1", 29701);  // the RTCP port of the first pair
  REQUIRE(squatter.ok());
  auto engine = MakeEngine(29700, 29705, 1);  // three pairs, one of them unusable
  auto relay = engine->createRelay({});
  REQUIRE(relay.ok());
  CHECK((*relay)->localAddress(RelaySide::kA).port() == 29702);
  CHECK((*relay)->localAddress(RelaySide::kB).port() == 29704);
  CHECK(absl::IsResourceExhausted(engine->createRelay({}).status()));
}

TEST_CASE("relays work on IPv6") {
  UdpPhone a("::1");
  UdpPhone b("::1");
  if (!a.ok() || !b.ok()) {
    MESSAGE("SKIPPED: no IPv6 loopback on this machine");
    return;
  }
  auto engine = MakeEngine(29800, 29899, 1, "::1");
  auto relay = engine->createRelay({});
  REQUIRE(relay.ok());
  const SocketAddress pbxA = (*relay)->localAddress(RelaySide::kA);
  CHECK(pbxA.isV6());
  CHECK(pbxA.ip() == "::1");
  (*relay)->setRemote(RelaySide::kB, b.address());
  (*relay)->setRemote(RelaySide::kA, *SocketAddress::Parse("127.0.0.1", 4000));  // unusable
  REQUIRE(a.sendTo(pbxA, RtpPacket(1)));
  auto got = b.receive();
  REQUIRE(got.has_value());
  CHECK(got->data == RtpPacket(1));
  REQUIRE(b.sendTo((*relay)->localAddress(RelaySide::kB), RtpPacket(2)));
  got = a.receive();  // latched: the IPv4 SDP address was ignored
  REQUIRE(got.has_value());
  CHECK(got->data == RtpPacket(2));
}

TEST_CASE("50 relays spread over 2 media threads all pass traffic") {
  constexpr int kCalls = 50;
  auto engine = MakeEngine(30000, 30599, 2);
  std::vector<RtpRelayPtr> relays;
  std::vector<std::unique_ptr<UdpPhone>> phonesA;
  std::vector<std::unique_ptr<UdpPhone>> phonesB;
  for (int i = 0; i < kCalls; ++i) {
    auto relay = engine->createRelay({});
    REQUIRE(relay.ok());
    phonesA.push_back(std::make_unique<UdpPhone>());
    phonesB.push_back(std::make_unique<UdpPhone>());
    REQUIRE((phonesA.back()->ok() && phonesB.back()->ok()));
    (*relay)->setRemote(RelaySide::kA, phonesA.back()->address());
    (*relay)->setRemote(RelaySide::kB, phonesB.back()->address());
    relays.push_back(std::move(*relay));
  }
  CHECK(engine->threadCount() == 2);
  CHECK(engine->relaysOnThread(0) == kCalls / 2);
  CHECK(engine->relaysOnThread(1) == kCalls / 2);

  for (int i = 0; i < kCalls; ++i) {
    REQUIRE(phonesA[i]->sendTo(relays[i]->localAddress(RelaySide::kA), RtpPacket(i, 160, i)));
    REQUIRE(phonesB[i]->sendTo(relays[i]->localAddress(RelaySide::kB), RtpPacket(i, 160, ~i)));
  }
  for (int i = 0; i < kCalls; ++i) {
    auto atB = phonesB[i]->receive();
    auto atA = phonesA[i]->receive();
    REQUIRE((atA.has_value() && atB.has_value()));
    CHECK(atB->data == RtpPacket(i, 160, i));
    CHECK(atA->data == RtpPacket(i, 160, ~i));
  }
  CHECK(WaitUntil([&] { return engine->stats().packetsRelayed == 2 * kCalls; }));
  relays.clear();
  CHECK(engine->stats().relaysActive == 0);
}

TEST_CASE("destroying relays while a sender blasts packets at them is safe") {
  constexpr uint16_t kPortMin = 30600;
  constexpr uint16_t kPortMax = 31399;  // 400 pairs: closes still in flight never block us
  auto engine = MakeEngine(kPortMin, kPortMax, 2);
  UdpPhone sink;
  REQUIRE(sink.ok());

  std::atomic<bool> stop{false};
  std::thread sender;
  std::thread drain;
  struct Joiner {  // joins the threads however the test case ends
    std::atomic<bool>& stop;
    std::thread& a;
    std::thread& b;
    ~Joiner() {
      stop.store(true);
      if (a.joinable()) a.join();
      if (b.joinable()) b.join();
    }
  } joiner{stop, sender, drain};
  sender = std::thread([&] {
    UdpPhone blaster;
    const Bytes packet = RtpPacket(1);
    const Bytes rtcp = testing::RtcpPacket();
    while (!stop.load()) {
      for (uint16_t port = kPortMin; port <= kPortMax; ++port) {
        blaster.sendTo(*SocketAddress::Parse("127.0.0.1", port), port % 2 == 0 ? packet : rtcp);
      }
    }
  });
  // Keeps the sink's receive buffer from filling up.
  drain = std::thread([&] {
    while (!stop.load()) sink.receive(std::chrono::milliseconds(5));
  });

  int created = 0;
  for (int round = 0; round < 100; ++round) {
    std::vector<RtpRelayPtr> relays;
    for (int i = 0; i < 20; ++i) {
      auto relay = engine->createRelay({});
      REQUIRE_MESSAGE(relay.ok(), relay.status().ToString());
      (*relay)->setRemote(RelaySide::kA, sink.address());
      (*relay)->setRemote(RelaySide::kB, sink.address());
      if (i % 3 == 0) (*relay)->setForwarding(RelaySide::kA, false);
      relays.push_back(std::move(*relay));
      ++created;
    }
    // Destroy them once packets are surely flowing through this round's relays.
    auto passing = [&] {
      for (const RtpRelayPtr& relay : relays) {
        if (relay->stats(RelaySide::kB).packetsSent > 0) return true;
      }
      return false;
    };
    REQUIRE(WaitUntil(passing));
    relays.clear();
  }
  stop.store(true);
  sender.join();
  drain.join();
  CHECK(created == 2000);
  CHECK(engine->stats().packetsRelayed > 0);
  CHECK(engine->stats().relaysActive == 0);
  // Every pair is idle, or was closed and its port freed.
  REQUIRE(WaitUntil([&] { return engine->ports().freePairs() + engine->idlePairs() == 400; }));
  engine.reset();
}

}  // namespace
}  // namespace pbx::media
