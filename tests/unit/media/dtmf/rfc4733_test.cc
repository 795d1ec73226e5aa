#include "lib/media/dtmf/rfc4733.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

namespace pbx::media::internal {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kTick{20};

struct SentPacket {
  RtpHeader header;
  Rfc4733Packet packet;
  int tick = 0;
};

// Runs the sender tick by tick (the leg's audio timestamp advancing by 20 ms each tick) until it
// is idle, and returns what it sent.
std::vector<SentPacket> RunSender(Rfc4733Sender& sender, int clockRate, uint32_t firstTimestamp,
                                  int maxTicks = 100000) {
  std::vector<SentPacket> sent;
  const uint32_t step = static_cast<uint32_t>(clockRate / 50);
  uint16_t sequence = 1000;
  for (int tick = 0; tick < maxTicks && !sender.idle(); ++tick) {
    const uint32_t audioTimestamp = firstTimestamp + step * static_cast<uint32_t>(tick);
    if (auto packet = sender.nextPacket(audioTimestamp)) {
      RtpHeader header{.marker = packet->marker,
                       .payloadType = 101,
                       .sequence = sequence++,
                       .timestamp = packet->timestamp,
                       .ssrc = 0x1234};
      sent.push_back({header, *packet, tick});
    }
  }
  return sent;
}

// What the receiver reported, fed packets at their send tick and ticked every 20 ms for a
// second past the last packet.
struct Received {
  std::string digits;
  std::vector<DtmfDigit> details;
  std::string started;
};

Received Feed(Rfc4733Receiver& receiver, const std::vector<SentPacket>& packets) {
  Received received;
  const auto collect = [&](const DtmfEvents& events) {
    if (events.started) received.started += *events.started;
    for (const DtmfDigit& digit : events.completed()) {
      received.digits += digit.digit;
      received.details.push_back(digit);
    }
  };
  const MonotonicTime base{};
  int lastTick = packets.empty() ? 0 : packets.back().tick;
  size_t next = 0;
  for (int tick = 0; tick <= lastTick + 50; ++tick) {
    const MonotonicTime now = base + kTick * tick;
    while (next < packets.size() && packets[next].tick <= tick) {
      const auto& sent = packets[next++];
      collect(receiver.onPacket(sent.header, sent.packet.payload.data(), sent.packet.payload.size(),
                                now));
    }
    collect(receiver.onTick(now));
  }
  return received;
}

const std::string kAllKeys = "0123456789*#ABCD";

std::unique_ptr<Rfc4733Sender> SenderWithAllKeys(int clockRate, milliseconds duration) {
  auto sender = Rfc4733Sender::Create(clockRate);
  REQUIRE(sender.ok());
  for (char key : kAllKeys) REQUIRE((*sender)->send(key, duration).ok());
  return std::move(*sender);
}

TEST_CASE("RFC 4733 sender: marker, growing duration, three end copies, gap") {
  auto sender = SenderWithAllKeys(8000, milliseconds(100));
  auto packets = RunSender(*sender, 8000, 50000);
  REQUIRE(packets.size() >= 8);
  // First key: 5 packets (20..100 ms) of which the last is the end, then 2 more end copies.
  const uint16_t expected[] = {160, 320, 480, 640, 800, 800, 800};
  for (size_t i = 0; i < 7; ++i) {
    const auto& p = packets[i];
    CAPTURE(i);
    CHECK(p.packet.payload[0] == 0);
    CHECK(p.header.marker == (i == 0));
    CHECK(p.packet.end == (i >= 4));
    CHECK(((p.packet.payload[1] & 0x80) != 0) == (i >= 4));
    CHECK((p.packet.payload[1] & 0x3f) == kDefaultDtmfVolume);
    CHECK((p.packet.payload[2] << 8 | p.packet.payload[3]) == expected[i]);
    CHECK(p.packet.timestamp == 50000);  // the audio timestamp at the event's first tick
    CHECK(p.tick == static_cast<int>(i));
  }
  // The next key starts after at least 40 ms of silence, at that tick's audio timestamp.
  CHECK(packets[7].header.marker);
  CHECK(packets[7].packet.payload[0] == 1);
  CHECK(packets[7].tick - packets[6].tick >= 3);
  CHECK(packets[7].packet.timestamp == 50000 + 160u * static_cast<uint32_t>(packets[7].tick));
  CHECK(packets.size() == 16 * 7);
}

TEST_CASE("RFC 4733 roundtrip: all 16 keys, each reported once with its duration") {
  for (int rate : {8000, 16000, 48000}) {
    CAPTURE(rate);
    auto sender = SenderWithAllKeys(rate, milliseconds(120));
    auto packets = RunSender(*sender, rate, 0xfffff000u);  // timestamps wrap during the run
    auto receiver = Rfc4733Receiver::Create(rate);
    REQUIRE(receiver.ok());
    Received received = Feed(**receiver, packets);
    CHECK(received.digits == kAllKeys);
    CHECK(received.started == kAllKeys);
    for (const DtmfDigit& digit : received.details) {
      CHECK(digit.duration == milliseconds(120));
      CHECK(digit.volume == kDefaultDtmfVolume);
    }
    CHECK((*receiver)->counters().ignored == 32);  // the second and third end copies
    CHECK((*receiver)->counters().lostEnds == 0);
  }
}

TEST_CASE("RFC 4733 roundtrip: lost start packets") {
  auto sender = SenderWithAllKeys(8000, milliseconds(100));
  auto packets = RunSender(*sender, 8000, 1000);
  std::erase_if(packets, [](const SentPacket& p) { return p.header.marker; });
  auto receiver = Rfc4733Receiver::Create(8000);
  Received received = Feed(**receiver, packets);
  CHECK(received.digits == kAllKeys);
  CHECK(received.started == kAllKeys);  // the first packet seen mid-event starts the key
  for (const DtmfDigit& digit : received.details) CHECK(digit.duration == milliseconds(100));
}

TEST_CASE("RFC 4733 roundtrip: all three end packets lost") {
  auto sender = SenderWithAllKeys(8000, milliseconds(100));
  auto packets = RunSender(*sender, 8000, 1000);
  std::erase_if(packets, [](const SentPacket& p) { return p.packet.end; });
  auto receiver = Rfc4733Receiver::Create(8000);
  Received received = Feed(**receiver, packets);
  CHECK(received.digits == kAllKeys);
  // Reported with the last duration seen: the 80 ms update before the lost end.
  for (const DtmfDigit& digit : received.details) CHECK(digit.duration == milliseconds(80));
  CHECK((*receiver)->counters().lostEnds == 16);
}

TEST_CASE("RFC 4733: a lost end times out after 300 ms, not before") {
  auto sender = Rfc4733Sender::Create(8000);
  REQUIRE((*sender)->send('7', milliseconds(100)).ok());
  auto packets = RunSender(**sender, 8000, 0);
  auto receiver = Rfc4733Receiver::Create(8000);
  const MonotonicTime base{};
  for (const auto& p : packets) {
    if (p.packet.end) break;
    auto events =
        (*receiver)->onPacket(p.header, p.packet.payload.data(), 4, base + kTick * p.tick);
    CHECK(events.completed().empty());
  }
  const MonotonicTime last = base + kTick * 3;
  CHECK((*receiver)->onTick(last + milliseconds(280)).completed().empty());
  auto events = (*receiver)->onTick(last + milliseconds(300));
  REQUIRE(events.completed().size() == 1);
  CHECK(events.completed()[0].digit == '7');
  CHECK((*receiver)->onTick(last + milliseconds(400)).completed().empty());
}

TEST_CASE("RFC 4733 roundtrip: every packet duplicated") {
  auto sender = SenderWithAllKeys(8000, milliseconds(100));
  auto packets = RunSender(*sender, 8000, 1000);
  std::vector<SentPacket> doubled;
  for (const auto& p : packets) {
    doubled.push_back(p);
    doubled.push_back(p);
  }
  auto receiver = Rfc4733Receiver::Create(8000);
  Received received = Feed(**receiver, doubled);
  CHECK(received.digits == kAllKeys);
  CHECK(received.started == kAllKeys);
}

TEST_CASE("RFC 4733 roundtrip: reordered packets") {
  auto sender = SenderWithAllKeys(8000, milliseconds(100));
  auto packets = RunSender(*sender, 8000, 1000);
  // Swap neighbours, including an event's last end copy with the next event's first packet.
  std::vector<SentPacket> reordered;
  for (size_t i = 0; i + 1 < packets.size(); i += 2) {
    SentPacket earlier = packets[i];
    earlier.tick = packets[i + 1].tick;  // both arrive together, the later one first
    reordered.push_back(packets[i + 1]);
    reordered.push_back(earlier);
  }
  if (packets.size() % 2 == 1) reordered.push_back(packets.back());
  // Also deliver an old event's end copy after the next event began.
  SentPacket late = packets[6];
  late.tick = packets[8].tick;
  reordered.insert(std::find_if(reordered.begin(), reordered.end(),
                                [&](const SentPacket& p) { return p.tick > late.tick; }),
                   late);
  auto receiver = Rfc4733Receiver::Create(8000);
  Received received = Feed(**receiver, reordered);
  CHECK(received.digits == kAllKeys);
  for (const DtmfDigit& digit : received.details) CHECK(digit.duration == milliseconds(100));
}

TEST_CASE("RFC 4733: a press longer than the 16-bit duration is split and rejoined") {
  // At 48 kHz the duration field overflows after 1.36 s.
  auto sender = Rfc4733Sender::Create(48000);
  REQUIRE((*sender)->send('9', milliseconds(3000)).ok());
  REQUIRE((*sender)->send('9', milliseconds(100)).ok());
  auto packets = RunSender(**sender, 48000, 7);
  int segments = 0;
  uint32_t previous = packets[0].packet.timestamp;
  for (const auto& p : packets) {
    if (p.packet.timestamp != previous && !p.header.marker) {
      ++segments;
      CHECK(p.packet.timestamp - previous == 0xffffu);
    }
    previous = p.packet.timestamp;
  }
  CHECK(segments == 2);
  auto receiver = Rfc4733Receiver::Create(48000);
  Received received = Feed(**receiver, packets);
  CHECK(received.digits == "99");
  REQUIRE(received.details.size() == 2);
  CHECK(received.details[0].duration == milliseconds(3000));
  CHECK(received.details[1].duration == milliseconds(100));
}

TEST_CASE("RFC 4733 receiver drops malformed payloads and ignores non-DTMF events") {
  auto receiver = Rfc4733Receiver::Create(8000);
  RtpHeader header{.marker = true, .payloadType = 101, .sequence = 1, .timestamp = 100, .ssrc = 1};
  const uint8_t shortPayload[3] = {5, 0x0a, 0};
  CHECK((*receiver)->onPacket(header, shortPayload, 3, MonotonicTime{}).empty());
  CHECK((*receiver)->onPacket(header, nullptr, 0, MonotonicTime{}).empty());
  const uint8_t flash[4] = {16, 0x8a, 0x03, 0x20};
  CHECK((*receiver)->onPacket(header, flash, 4, MonotonicTime{}).empty());
  CHECK((*receiver)->counters().malformed == 2);
  CHECK((*receiver)->counters().unknownEvents == 1);
  // A single end packet (everything else lost) is still one key.
  const uint8_t onlyEnd[4] = {11, 0x8a, 0x03, 0x20};
  auto events = (*receiver)->onPacket(header, onlyEnd, 4, MonotonicTime{});
  CHECK(events.started == '#');
  REQUIRE(events.completed().size() == 1);
  CHECK(events.completed()[0].digit == '#');
  CHECK(events.completed()[0].duration == milliseconds(100));
  CHECK(events.completed()[0].volume == 10);
  CHECK((*receiver)->onPacket(header, onlyEnd, 4, MonotonicTime{}).empty());
}

TEST_CASE("RFC 4733: a new SSRC closes the open event and restarts ordering") {
  auto receiver = Rfc4733Receiver::Create(8000);
  RtpHeader header{
      .marker = true, .payloadType = 101, .sequence = 1, .timestamp = 90000, .ssrc = 1};
  const uint8_t start[4] = {3, 0x0a, 0x00, 0xa0};
  CHECK((*receiver)->onPacket(header, start, 4, MonotonicTime{}).started == '3');
  header.ssrc = 2;
  header.timestamp = 10;  // before the old stream's timestamp: still a new event
  const uint8_t other[4] = {4, 0x0a, 0x00, 0xa0};
  auto events = (*receiver)->onPacket(header, other, 4, MonotonicTime{});
  CHECK(events.started == '4');
  REQUIRE(events.completed().size() == 1);
  CHECK(events.completed()[0].digit == '3');
}

TEST_CASE("RFC 4733 sender validates its input") {
  CHECK_FALSE(Rfc4733Sender::Create(0).ok());
  CHECK_FALSE(Rfc4733Receiver::Create(8001).ok());
  auto sender = Rfc4733Sender::Create(8000);
  CHECK((*sender)->send('x', milliseconds(100)).code() == absl::StatusCode::kInvalidArgument);
  for (size_t i = 0; i < Rfc4733Sender::kQueueCapacity; ++i) {
    REQUIRE((*sender)->send('1', milliseconds(100)).ok());
  }
  CHECK((*sender)->send('1', milliseconds(100)).code() == absl::StatusCode::kResourceExhausted);
  // A very short press is stretched to 40 ms: a start, then the end copies.
  auto shortSender = Rfc4733Sender::Create(8000);
  REQUIRE((*shortSender)->send('a', milliseconds(5)).ok());
  auto packets = RunSender(**shortSender, 8000, 0);
  REQUIRE(packets.size() == 4);
  CHECK(packets[0].packet.payload[0] == 12);
  CHECK((packets[3].packet.payload[2] << 8 | packets[3].packet.payload[3]) == 320);
}

}  // namespace
}  // namespace pbx::media::internal
