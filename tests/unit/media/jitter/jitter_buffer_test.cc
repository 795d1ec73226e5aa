// Sequence handling of the jitter buffer: order, loss, duplicates, wrap-around, silence,
// skipped sequence numbers, SSRC change and packets longer than 20 ms.
#include "lib/media/rtp/jitter_buffer.h"

#include <doctest/doctest.h>

#include <numeric>
#include <vector>

#include "tests/unit/media/jitter/jitter_sim.h"

namespace pbx::media::internal::jitter_test {
namespace {

JitterBuffer::Options Narrowband() { return {.clockRate = 8000, .frameStep = 160}; }

std::vector<uint16_t> Consecutive(uint16_t first, int n) {
  std::vector<uint16_t> out(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) out[static_cast<size_t>(i)] = static_cast<uint16_t>(first + i);
  return out;
}

// The ticks from the first packet played to the last one.
std::vector<Tick> Playing(const Sim& sim) {
  int first = -1, last = -1;
  for (const Tick& t : sim.ticks) {
    if (t.kind != Kind::kPacket) continue;
    if (first < 0) first = t.index;
    last = t.index;
  }
  REQUIRE(first >= 0);
  return {sim.ticks.begin() + first, sim.ticks.begin() + last + 1};
}

TEST_CASE("an in-order stream with constant delay plays every packet in order, one per tick") {
  Sim sim(Narrowband());
  Talker talker;
  for (int i = 0; i < 200; ++i) sim.send(talker.sendTime(i) + 35, talker.header(i));
  sim.run(200 * 20 + 200);

  CHECK(sim.playedSeqs() == Consecutive(1000, 200));
  for (const Tick& t : Playing(sim)) {
    CHECK(t.kind == Kind::kPacket);
    CHECK(t.frames == 1);
  }
  // Nothing before the stream starts; minDelay (20 ms) after the first arrival at most a tick.
  CHECK(sim.tickOf(1000) == 3);  // first arrival 35 ms, ticks at 5, 25, 45, 65: 65 - 35 >= 20
  CHECK(sim.ticks[0].kind == Kind::kEmpty);
  const auto playing = Playing(sim);
  for (const Tick& t : playing) CHECK(t.delayMs == playing.front().delayMs);
  CHECK(playing.front().delayMs >= 20);
  CHECK(playing.front().delayMs < 40);
  CHECK(sim.stats().lost == 0);
  CHECK(sim.stats().late == 0);
  CHECK(sim.stats().received == 200);
  CHECK(sim.buffer().size() == 0);
}

TEST_CASE("packets reordered within the delay come out in order") {
  JitterBuffer::Options options = Narrowband();
  options.minDelay = std::chrono::milliseconds(40);
  Sim sim(options);
  Talker talker;
  for (int i = 0; i < 100; ++i) {
    // Each odd packet overtakes the even one before it.
    const double arrival = talker.sendTime(i) + 30 + (i % 2 == 0 ? 25 : 0);
    sim.send(arrival, talker.header(i));
  }
  sim.run(100 * 20 + 300);
  CHECK(sim.playedSeqs() == Consecutive(1000, 100));
  for (const Tick& t : Playing(sim)) CHECK(t.kind == Kind::kPacket);
  CHECK(sim.stats().late == 0);
  CHECK(sim.stats().lost == 0);
}

TEST_CASE("a lost packet gives exactly one kMissing, at its own tick") {
  Sim sim(Narrowband());
  Talker talker;
  for (int i = 0; i < 100; ++i) {
    if (i != 50) sim.send(talker.sendTime(i) + 35, talker.header(i));
  }
  sim.run(100 * 20 + 200);
  const auto playing = Playing(sim);
  int missing = 0;
  for (const Tick& t : playing) missing += t.kind == Kind::kMissing;
  CHECK(missing == 1);
  const int before = sim.tickOf(1049);
  CHECK(sim.ticks[static_cast<size_t>(before + 1)].kind == Kind::kMissing);
  CHECK(sim.tickOf(1051) == before + 2);
  CHECK(sim.stats().lost == 1);
  CHECK(sim.playedSeqs().size() == 99);
}

TEST_CASE("duplicates are reported and played once") {
  Sim sim(Narrowband());
  Talker talker;
  for (int i = 0; i < 60; ++i) {
    sim.send(talker.sendTime(i) + 35, talker.header(i));
    if (i % 10 == 0) sim.send(talker.sendTime(i) + 36, talker.header(i));  // while held
    if (i == 20) sim.send(talker.sendTime(i) + 300, talker.header(i));     // after playing
  }
  sim.run(60 * 20 + 400);
  CHECK(sim.playedSeqs() == Consecutive(1000, 60));
  CHECK(sim.stats().duplicates == 7);
  CHECK(std::count(sim.results.begin(), sim.results.end(), JitterBuffer::PushResult::kDuplicate) ==
        7);
  CHECK(sim.stats().late == 0);
}

TEST_CASE("sequence numbers and timestamps wrap around") {
  Sim sim(Narrowband());
  Talker talker{.seq0 = 65500, .ts0 = 0xFFFFF000u};
  for (int i = 0; i < 100; ++i) sim.send(talker.sendTime(i) + 35, talker.header(i));
  sim.run(100 * 20 + 200);
  CHECK(sim.playedSeqs() == Consecutive(65500, 100));
  for (const Tick& t : Playing(sim)) CHECK(t.kind == Kind::kPacket);
  CHECK(sim.stats().lost == 0);
  CHECK(sim.stats().resets == 0);
}

TEST_CASE("a silence (timestamp jump, no sequence gap) is not loss") {
  Sim sim(Narrowband());
  Talker talker;
  for (int i = 0; i < 100; ++i) {
    // One second of silence after packet 49: the sender sends nothing, time goes on.
    const int slot = i < 50 ? i : i + 50;
    RtpHeader header = Header(static_cast<uint16_t>(1000 + i), 5000 + 160u * slot, 0x1234, i == 50);
    sim.send(slot * 20.0 + 35, header);
  }
  sim.run(150 * 20 + 200);
  CHECK(sim.playedSeqs() == Consecutive(1000, 100));
  CHECK(sim.stats().lost == 0);
  const int last = sim.tickOf(1049), resumed = sim.tickOf(1050);
  CHECK(resumed - last == 51);
  // The first tick of the silence cannot know yet: one frame is concealed, then silence.
  int missing = 0;
  for (int i = last + 1; i < resumed; ++i)
    missing += sim.ticks[static_cast<size_t>(i)].kind == Kind::kMissing;
  CHECK(missing == 1);
  CHECK(sim.ticks[static_cast<size_t>(last + 1)].kind == Kind::kMissing);
}

TEST_CASE("a silence whose first packet is lost: silence, then one kMissing at its tick") {
  Sim sim(Narrowband());
  for (int i = 0; i < 100; ++i) {
    const int slot = i < 50 ? i : i + 50;
    if (i == 50) continue;
    RtpHeader header = Header(static_cast<uint16_t>(1000 + i), 5000 + 160u * slot);
    sim.send(slot * 20.0 + 35, header);
  }
  sim.run(150 * 20 + 200);
  CHECK(sim.stats().lost == 1);
  const int last = sim.tickOf(1049), resumed = sim.tickOf(1051);
  CHECK(resumed - last == 52);  // 1051 plays at its own time
  CHECK(sim.ticks[static_cast<size_t>(resumed - 1)].kind == Kind::kMissing);  // 1050's tick
  int missing = 0;
  for (int i = last + 1; i < resumed; ++i) {
    missing += sim.ticks[static_cast<size_t>(i)].kind == Kind::kMissing;
  }
  CHECK(missing == 2);  // the unknowable first tick of the silence, and 1050's own
}

TEST_CASE("skipped sequence numbers (telephone-event) are not loss") {
  Sim sim(Narrowband());
  // Every fifth sequence number is an RFC 4733 event packet; audio timestamps go on.
  int audio = 0;
  for (int i = 0; i < 150; ++i) {
    const uint16_t seq = static_cast<uint16_t>(2000 + i);
    if (i % 5 == 4) {
      sim.sendSkip(audio * 20.0 + 34, Header(seq, 77777));
    } else {
      sim.send(audio * 20.0 + 35, Header(seq, 9000 + 160u * audio));
      ++audio;
    }
  }
  sim.run(audio * 20.0 + 200);
  CHECK(sim.playedSeqs().size() == static_cast<size_t>(audio));
  for (const Tick& t : Playing(sim)) CHECK(t.kind == Kind::kPacket);
  CHECK(sim.stats().lost == 0);
  CHECK(sim.stats().concealed == 1);  // after the very last packet: nothing follows it
}

TEST_CASE("an SSRC change restarts on the new stream") {
  Sim sim(Narrowband());
  Talker first;
  Talker second{.seq0 = 30000, .ts0 = 123456789, .ssrc = 0xBEEF};
  for (int i = 0; i < 50; ++i) sim.send(first.sendTime(i) + 35, first.header(i));
  for (int i = 0; i < 50; ++i) sim.send(first.sendTime(i + 50) + 35, second.header(i));
  sim.run(100 * 20 + 200);
  std::vector<uint16_t> expected = Consecutive(1000, 50);
  const auto more = Consecutive(30000, 50);
  expected.insert(expected.end(), more.begin(), more.end());
  const auto played = sim.playedSeqs();
  // The packets of the old stream still held when the new one arrives are dropped.
  REQUIRE(played.size() >= 98);
  CHECK(std::vector<uint16_t>(played.end() - 50, played.end()) == more);
  CHECK(std::is_sorted(played.begin(), played.end() - 50));
  CHECK(std::count(sim.results.begin(), sim.results.end(), JitterBuffer::PushResult::kReset) == 1);
  CHECK(sim.stats().resets == 1);
  CHECK(sim.stats().lost == 0);
}

TEST_CASE("40 ms packets: one kPacket, then kEmpty while it still plays") {
  JitterBuffer::Options options = Narrowband();
  options.minDelay = std::chrono::milliseconds(60);
  Talker talker{.step = 320, .ptimeMs = 40};
  SUBCASE("no loss") {
    Sim sim(options);
    for (int i = 0; i < 50; ++i) sim.send(talker.sendTime(i) + 30, talker.header(i));
    sim.run(50 * 40 + 200);
    CHECK(sim.playedSeqs() == Consecutive(1000, 50));
    const auto playing = Playing(sim);
    for (size_t i = 0; i < playing.size(); ++i) {
      CHECK(playing[i].kind == (i % 2 == 0 ? Kind::kPacket : Kind::kEmpty));
      if (playing[i].kind == Kind::kPacket) CHECK(playing[i].frames == 2);
    }
    CHECK(sim.stats().lost == 0);
  }
  SUBCASE("a loss conceals both of its ticks") {
    Sim sim(options);
    for (int i = 0; i < 50; ++i) {
      if (i != 20) sim.send(talker.sendTime(i) + 30, talker.header(i));
    }
    sim.run(50 * 40 + 200);
    const int before = sim.tickOf(1019);
    CHECK(sim.ticks[static_cast<size_t>(before + 1)].kind == Kind::kEmpty);
    CHECK(sim.ticks[static_cast<size_t>(before + 2)].kind == Kind::kMissing);
    CHECK(sim.ticks[static_cast<size_t>(before + 3)].kind == Kind::kMissing);
    CHECK(sim.tickOf(1021) == before + 4);
    CHECK(sim.stats().lost == 1);
  }
}

}  // namespace
}  // namespace pbx::media::internal::jitter_test
