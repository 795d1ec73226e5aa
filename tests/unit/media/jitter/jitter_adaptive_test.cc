// Delay adaptation of the jitter buffer: growing under jitter, shrinking when it stops, and the
// fixed mode for fax modem audio that never stretches.
#include "lib/media/rtp/jitter_buffer.h"

#include <doctest/doctest.h>

#include <algorithm>

#include "tests/unit/media/jitter/jitter_sim.h"

namespace pbx::media::internal::jitter_test {
namespace {

constexpr int kPackets = 2000;
constexpr int kJitterUntil = 1000;  // packets 0..999 see +-30 ms of jitter

TEST_CASE("jitter of +-30 ms grows the delay until nothing is late; it shrinks when jitter stops") {
  Sim sim(JitterBuffer::Options{.clockRate = 8000, .frameStep = 160});
  Talker talker;
  Random random(7);
  for (int i = 0; i < kPackets; ++i) {
    const double jitter = i < kJitterUntil ? random.uniform(-30, 30) : 0;
    sim.send(talker.sendTime(i) + 50 + jitter, talker.header(i));
  }

  sim.run(300 * 20);
  const JitterBufferStats early = sim.stats();
  CHECK(early.late > 0);  // the delay starts at minDelay: the first spikes come too late
  CHECK(early.inserted > 0);
  CHECK(early.targetDelayMs >= 60);
  CHECK(early.delayMs >= early.targetDelayMs);

  sim.run(kJitterUntil * 20);
  const JitterBufferStats settled = sim.stats();
  CHECK(settled.late == early.late);  // grown enough: nothing late for 700 packets
  CHECK(settled.lost == early.lost);
  CHECK(settled.delayMs >= 60);
  CHECK(settled.delayMs <= 110);

  sim.run(kPackets * 20 + 400);
  const JitterBufferStats calm = sim.stats();
  CHECK(calm.late == settled.late);
  CHECK(calm.targetDelayMs == 20);
  CHECK(calm.delayMs >= 20);
  CHECK(calm.delayMs < 40);
  CHECK(calm.dropped > settled.dropped);

  // Whatever was inserted or dropped, the stream came out in order, each packet at most once.
  const auto played = sim.playedSeqs();
  for (size_t i = 1; i < played.size(); ++i) CHECK(SequenceAfter(played[i], played[i - 1]));
  CHECK(played.size() + calm.late + calm.lost + calm.dropped >= static_cast<size_t>(kPackets));
}

TEST_CASE("steady delay: no adaptation at all") {
  Sim sim(JitterBuffer::Options{.clockRate = 48000, .frameStep = 960});
  Talker talker{.step = 960};
  for (int i = 0; i < 500; ++i) sim.send(talker.sendTime(i) + 42, talker.header(i));
  sim.run(500 * 20 + 200);
  CHECK(sim.playedSeqs().size() == 500);
  CHECK(sim.stats().inserted == 0);
  CHECK(sim.stats().dropped == 0);
  CHECK(sim.stats().concealed == 1);  // after the last packet
}

TEST_CASE(
    "fixed mode keeps the delay: every packet plays a constant number of ticks after it was sent") {
  JitterBuffer::Options options{.clockRate = 8000, .frameStep = 160, .adaptive = false};
  options.minDelay = std::chrono::milliseconds(60);
  Talker talker;
  for (double spread : {20.0, 45.0}) {
    CAPTURE(spread);
    Sim sim(options);
    Random random(11);
    for (int i = 0; i < 800; ++i) {
      sim.send(talker.sendTime(i) + 40 + random.uniform(-spread, spread), talker.header(i));
    }
    sim.run(800 * 20 + 400);
    const int offset = sim.tickOf(1000);
    REQUIRE(offset >= 0);
    int played = 0;
    for (int i = 0; i < 800; ++i) {
      const int tick = sim.tickOf(static_cast<uint16_t>(1000 + i));
      if (tick < 0) continue;
      ++played;
      CHECK(tick == offset + i);
    }
    CHECK(sim.stats().inserted == 0);
    CHECK(sim.stats().dropped == 0);
    CHECK(sim.stats().targetDelayMs == 60);
    if (spread < 30) {
      CHECK(played == 800);
      CHECK(sim.stats().late == 0);
    } else {
      CHECK(sim.stats().late > 0);  // fixed means late packets stay late
      CHECK(played + static_cast<int>(sim.stats().late) == 800);
    }
  }
}

}  // namespace
}  // namespace pbx::media::internal::jitter_test
