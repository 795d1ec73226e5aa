// The jitter buffer against bad input: garbage headers, oversized payloads, sender restarts,
// a paused media thread, and options that make no sense.
#include "lib/media/rtp/jitter_buffer.h"

#include <doctest/doctest.h>

#include <array>

#include "tests/unit/media/jitter/jitter_sim.h"

namespace pbx::media::internal::jitter_test {
namespace {

using Result = JitterBuffer::PushResult;

TEST_CASE(
    "random garbage never crashes, never holds more than capacity, and a clean stream recovers") {
  const JitterBuffer::Options options{.clockRate = 8000,
                                      .frameStep = 160,
                                      .maxDelay = std::chrono::milliseconds(100),
                                      .capacity = 8,
                                      .maxPayload = 200};
  auto buffer = std::move(*JitterBuffer::Create(options));
  Random random(2024);
  std::array<uint8_t, 400> payload{};
  double now = 0;
  uint16_t seq = 100;
  uint32_t ts = 0;
  for (int i = 0; i < 50000; ++i) {
    const uint64_t what = random.below(10);
    now += random.below(100) == 0 ? random.uniform(-5000, 20000) : random.uniform(0, 25);
    if (what < 6) {
      // Mostly one SSRC near its own numbers, so the sequence logic is exercised, not only resets.
      const bool wild = random.below(4) == 0;
      seq = wild ? static_cast<uint16_t>(random.next())
                 : static_cast<uint16_t>(seq + random.below(7) - 2);
      ts = wild ? static_cast<uint32_t>(random.next())
                : ts + static_cast<uint32_t>(random.below(700)) - 100;
      RtpHeader header = Header(seq, ts, random.below(50) == 0 ? 9 : 1, random.below(8) == 0);
      const size_t size = random.below(400);
      buffer->push(header, payload.data(), size, At(now));
    } else if (what < 7) {
      buffer->skip(Header(static_cast<uint16_t>(seq + random.below(20) - 10), ts, 1));
    } else {
      const JitterBuffer::Pop pop = buffer->pop(At(now));
      if (pop.kind == Kind::kPacket) {
        CHECK(pop.size <= options.maxPayload);
        CHECK((pop.payload != nullptr || pop.size == 0));
        CHECK(pop.frames >= 1);
      }
    }
    REQUIRE(buffer->size() <= options.capacity);
  }
  const JitterBufferStats garbage = buffer->stats();
  CHECK(garbage.received > 25000);
  CHECK(garbage.tooLarge > 0);
  CHECK(garbage.resets > 0);
  CHECK(garbage.outOfRange > 0);

  // A clean stream afterwards plays (after at most one restart to pick it up).
  now += 10000;
  int played = 0;
  for (int i = 0; i < 100; ++i) {
    payload[0] = 0;
    buffer->push(Header(static_cast<uint16_t>(7000 + i), 160u * static_cast<uint32_t>(i), 1),
                 payload.data(), 20, At(now + 20 * i + 30));
    played += buffer->pop(At(now + 20 * i + 45)).kind == Kind::kPacket;
  }
  CHECK(played >= 95);
}

TEST_CASE("oversized payloads are refused and counted") {
  auto buffer =
      std::move(*JitterBuffer::Create({.clockRate = 8000, .frameStep = 160, .maxPayload = 160}));
  std::array<uint8_t, 161> payload{};
  CHECK(buffer->push(Header(1, 0), payload.data(), 161, At(0)) == Result::kTooLarge);
  CHECK(buffer->push(Header(1, 0), nullptr, 10, At(0)) == Result::kTooLarge);
  CHECK(buffer->push(Header(1, 0), payload.data(), 160, At(0)) == Result::kStored);
  CHECK(buffer->stats().tooLarge == 2);
  CHECK(buffer->size() == 1);
}

TEST_CASE("a sender restart (same SSRC, new numbers) is confirmed by its second packet") {
  Sim sim(JitterBuffer::Options{.clockRate = 8000, .frameStep = 160});
  Talker before;
  Talker after{.seq0 = 40000, .ts0 = 900000000};
  for (int i = 0; i < 50; ++i) sim.send(before.sendTime(i) + 35, before.header(i));
  for (int i = 0; i < 50; ++i) sim.send(before.sendTime(50 + i) + 35, after.header(i));
  // One stray packet far away in the middle of the first stream changes nothing.
  sim.send(before.sendTime(20) + 36, Header(20000, 1));
  sim.run(100 * 20 + 200);
  using R = Result;
  CHECK(std::count(sim.results.begin(), sim.results.end(), R::kOutOfRange) == 2);
  CHECK(std::count(sim.results.begin(), sim.results.end(), R::kReset) == 1);
  const auto played = sim.playedSeqs();
  CHECK(std::count(played.begin(), played.end(), 40000) == 0);  // the unconfirmed first one
  CHECK(std::count(played.begin(), played.end(), 40001) == 1);
  CHECK(std::count(played.begin(), played.end(), 40049) == 1);
  CHECK(std::count(played.begin(), played.end(), 1049) == 1);
  CHECK(sim.stats().resets == 1);
}

TEST_CASE("a stream that starts mid-sequence with reordering before the start") {
  Sim sim(JitterBuffer::Options{
      .clockRate = 8000, .frameStep = 160, .minDelay = std::chrono::milliseconds(40)});
  Talker talker{.seq0 = 31337, .ts0 = 42};
  sim.send(36, talker.header(1));  // overtakes the first packet
  sim.send(38, talker.header(0));
  for (int i = 2; i < 30; ++i) sim.send(talker.sendTime(i) + 35, talker.header(i));
  sim.run(30 * 20 + 200);
  const auto played = sim.playedSeqs();
  REQUIRE(played.size() == 30);
  CHECK(played.front() == 31337);
  CHECK(sim.stats().lost == 0);
}

TEST_CASE("no pop for over a second (hold) restarts the buffer") {
  auto buffer = std::move(*JitterBuffer::Create({.clockRate = 8000, .frameStep = 160}));
  std::array<uint8_t, 20> payload{};
  for (int i = 0; i < 10; ++i) {
    buffer->push(Header(static_cast<uint16_t>(i), 160u * static_cast<uint32_t>(i)), payload.data(),
                 20, At(20 * i));
    buffer->pop(At(20 * i + 25));
  }
  CHECK(buffer->started());
  CHECK(buffer->pop(At(5000)).kind == Kind::kEmpty);
  CHECK(buffer->stats().resets == 1);
  CHECK_FALSE(buffer->started());
  CHECK(buffer->size() == 0);
}

TEST_CASE("options that make no sense are refused") {
  using Options = JitterBuffer::Options;
  using std::chrono::milliseconds;
  CHECK(JitterBuffer::Create(Options{}).ok());
  CHECK(JitterBuffer::Create(Options{.clockRate = 48000, .frameStep = 960}).ok());
  CHECK_FALSE(JitterBuffer::Create(Options{.clockRate = 8000, .frameStep = 320}).ok());
  CHECK_FALSE(JitterBuffer::Create(Options{.clockRate = 0, .frameStep = 0}).ok());
  CHECK_FALSE(JitterBuffer::Create(Options{.minDelay = milliseconds(300)}).ok());
  CHECK_FALSE(JitterBuffer::Create(Options{.minDelay = milliseconds(-1)}).ok());
  CHECK_FALSE(JitterBuffer::Create(Options{.capacity = 5}).ok());  // 100 ms < maxDelay
  CHECK_FALSE(JitterBuffer::Create(Options{.maxPayload = 0}).ok());
}

}  // namespace
}  // namespace pbx::media::internal::jitter_test
