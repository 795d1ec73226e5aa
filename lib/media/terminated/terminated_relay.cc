#include "lib/media/terminated/terminated_relay.h"

#include <algorithm>
#include <random>

#include "lib/base/log.h"
#include "lib/media/audio/player.h"
#include "lib/media/audio/recorder.h"
#include "lib/media/dtmf/rfc4733.h"
#include "lib/media/terminated/side_stream.h"
#include "lib/spandsp/dtmf_detector.h"
#include "lib/spandsp/dtmf_generator.h"

namespace pbx::media::internal {
namespace {

void Accumulate(SrtpSession::Stats& total, const SrtpSession::Stats& more) {
  total.rtpProtected += more.rtpProtected;
  total.rtcpProtected += more.rtcpProtected;
  total.protectFailures += more.protectFailures;
  total.rtpUnprotected += more.rtpUnprotected;
  total.rtcpUnprotected += more.rtcpUnprotected;
  total.authFailures += more.authFailures;
  total.replayFailures += more.replayFailures;
  total.malformed += more.malformed;
}

uint32_t NewSsrc() {
  static thread_local std::mt19937 random{std::random_device{}()};
  return static_cast<uint32_t>(random());
}

}  // namespace

struct TerminatedRelay::Side {
  std::unique_ptr<SideStream> stream;  // null while relaying, or for a format we cannot code
  bool cannotCode = false;             // creating the stream failed: not retried every tick
  const AudioFrame* said = nullptr;    // this tick's audio from the phone, null for none
  AudioFrame heard;                    // this tick's audio to the phone
  Player player;
  uint64_t playId = 0;  // nonzero while a play is on
  bool detectInband = false;
  std::unique_ptr<DtmfDetector> detector;
  std::unique_ptr<DtmfGenerator> generator;  // in-band digits for a phone without RFC 4733
  SrtpSession::Stats srtpBefore;             // of the streams this side had before

  bool busy() const {
    return playId != 0 || detectInband || (generator && generator->active()) ||
           (stream && stream->sendingDigit());
  }
};

struct TerminatedRelay::Recording {
  uint64_t id = 0;
  RelaySide side = RelaySide::kA;
  std::unique_ptr<Recorder> recorder;
};

TerminatedRelay::TerminatedRelay(EventOutput& events) : events_(events) {
  for (auto& side : sides_) side = std::make_unique<Side>();
}

TerminatedRelay::~TerminatedRelay() = default;

void TerminatedRelay::setFormat(RelaySide side, const StreamFormat& format) {
  if (formats_[Index(side)] == format) return;
  formats_[Index(side)] = format;
  dropStream(Index(side));  // a new format: a new stream in it
  sides_[Index(side)]->cannotCode = false;
  update();
}

void TerminatedRelay::dropStream(size_t index) {
  Side& side = *sides_[index];
  if (!side.stream) return;
  Accumulate(side.srtpBefore, side.stream->srtpStats());
  side.stream.reset();
}

SrtpSession::Stats TerminatedRelay::srtpStats(RelaySide which) const {
  const Side& side = *sides_[Index(which)];
  SrtpSession::Stats stats = side.srtpBefore;
  if (side.stream) Accumulate(stats, side.stream->srtpStats());
  return stats;
}

void TerminatedRelay::setForwarding(RelaySide from, bool enabled) {
  forwarding_[Index(from)] = enabled;
}

void TerminatedRelay::play(RelaySide which, uint64_t id,
                           std::vector<std::shared_ptr<const Prompt>> prompts, bool loop) {
  Side& side = *sides_[Index(which)];
  if (side.playId != 0) finishPlay(side, which, absl::CancelledError("replaced by another play"));
  if (!formats_[Index(which)].known()) {
    events_.report({MediaEvent::Type::kPlayFinished,
                    which,
                    id,
                    {},
                    absl::FailedPreconditionError("the leg has no codec pbxkit can encode")});
    return;
  }
  std::vector<PlaylistItem> items;
  items.reserve(prompts.size());
  for (auto& prompt : prompts) items.push_back(PlaylistItem::Play(std::move(prompt)));
  absl::Status started = side.player.start(items, loop ? Player::Loop::kYes : Player::Loop::kNo);
  if (!started.ok()) {
    events_.report({MediaEvent::Type::kPlayFinished, which, id, {}, started});
    return;
  }
  side.playId = id;
  update();
}

void TerminatedRelay::stopPlaying(RelaySide which) {
  Side& side = *sides_[Index(which)];
  if (side.playId == 0) return;
  side.player.stop();
  finishPlay(side, which, absl::CancelledError("stopped"));
  update();
}

void TerminatedRelay::finishPlay(Side& side, RelaySide which, absl::Status status) {
  events_.report({MediaEvent::Type::kPlayFinished,
                  which,
                  std::exchange(side.playId, 0),
                  {},
                  std::move(status)});
}

void TerminatedRelay::sendDtmf(RelaySide which, const media::DtmfDigit& digit) {
  const StreamFormat& format = formats_[Index(which)];
  if (!format.known()) return;
  Side& side = *sides_[Index(which)];
  if (format.telephoneEvent < 0) {
    if (!side.generator) {
      auto generator = DtmfGenerator::Create();
      if (!generator.ok()) return;
      side.generator = std::move(*generator);
    }
    side.generator->send(digit.digit, digit.duration).IgnoreError();
  } else {
    pendingDigits_[Index(which)].push_back(digit);
  }
  update();
}

void TerminatedRelay::detectInband(RelaySide which, bool enabled) {
  Side& side = *sides_[Index(which)];
  side.detectInband = enabled;
  if (!enabled) side.detector.reset();
  update();
}

void TerminatedRelay::startRecording(uint64_t id, RecordingMode mode, RelaySide side,
                                     std::unique_ptr<Recorder> recorder) {
  auto recording = std::make_unique<Recording>();
  recording->id = id;
  recording->side = side;
  recording->recorder = std::move(recorder);
  recordings_.push_back(std::move(recording));
  update();
}

void TerminatedRelay::pauseRecording(uint64_t id, bool paused) {
  for (auto& recording : recordings_)
    if (recording->id == id) paused ? recording->recorder->pause() : recording->recorder->resume();
}

void TerminatedRelay::stopRecording(uint64_t id) {
  // The recorder's completion callback reports the end once the file is closed.
  std::erase_if(recordings_, [&](const auto& recording) {
    if (recording->id != id) return false;
    recording->recorder->stop();
    return true;
  });
  update();
}

void TerminatedRelay::update() {
  const bool bothKnown = formats_[0].known() && formats_[1].known();
  bool needed = (bothKnown && !(formats_[0] == formats_[1])) || !recordings_.empty();
  // An SRTP side always: the other side has other keys, or none, so no packet can pass as is.
  for (size_t i = 0; i < 2; ++i) {
    needed = needed || sides_[i]->busy() || !pendingDigits_[i].empty() ||
             (formats_[i].known() && formats_[i].srtp.has_value());
  }
  terminating_ = needed;
  for (size_t i = 0; i < 2; ++i) {
    Side& side = *sides_[i];
    if (!terminating_) {
      dropStream(i);  // relaying again: a later switch starts a fresh stream
      continue;
    }
    if (!side.stream && !side.cannotCode && formats_[i].known()) {
      auto stream = SideStream::Create(formats_[i], NewSsrc());
      if (stream.ok()) {
        side.stream = std::move(*stream);
      } else {
        side.cannotCode = true;
        PBX_LOG(kWarning, "media", "", "cannot code {}: {}", formats_[i].codec,
                stream.status().message());
      }
    }
    if (side.detectInband && !side.detector) {
      auto detector = DtmfDetector::Create();
      if (detector.ok()) side.detector = std::move(*detector);
    }
  }
}

void TerminatedRelay::peek(RelaySide side, const uint8_t* data, size_t size, MonotonicTime now) {
  auto packet = ParseRtp(data, size);
  if (!packet) return;
  auto& receiver = peekers_[Index(side)];
  if (!receiver) {
    auto created = Rfc4733Receiver::Create(8000);
    if (!created.ok()) return;
    receiver = std::move(*created);
  }
  report(side, receiver->onPacket(packet->header, packet->payload, packet->payloadSize, now),
         DtmfMethod::kRfc4733);
}

void TerminatedRelay::receive(RelaySide side, const uint8_t* data, size_t size, MonotonicTime now) {
  SideStream* stream = sides_[Index(side)]->stream.get();
  if (stream) stream->receive(data, size, now);
}

void TerminatedRelay::report(RelaySide side, const DtmfEvents& events, DtmfMethod method) {
  for (const DtmfDigit& digit : events.completed()) {
    media::DtmfDigit out{digit.digit, digit.duration, method};
    events_.report({MediaEvent::Type::kDigit, side, 0, out, {}});
  }
}

void TerminatedRelay::relayDigits(RelaySide from, const DtmfEvents& events) {
  // A digit the other phone cannot get as it came goes in its own method.
  const RelaySide to = Other(from);
  if (!forwarding_[Index(from)] || !formats_[Index(to)].known()) return;
  for (const DtmfDigit& digit : events.completed()) {
    media::DtmfDigit out{digit.digit, std::max(digit.duration, std::chrono::milliseconds(60)),
                         DtmfMethod::kRfc4733};
    sendDtmf(to, out);
  }
}

void TerminatedRelay::tick(MonotonicTime now, PacketOutput& output) {
  for (size_t i = 0; i < 2; ++i) {
    Side& side = *sides_[i];
    const RelaySide which = static_cast<RelaySide>(i);
    side.said = side.stream ? side.stream->pull(now) : nullptr;
    if (side.stream) {
      DtmfEvents digits = side.stream->takeDigits(now);
      report(which, digits, DtmfMethod::kRfc4733);
      relayDigits(which, digits);
    }
    if (side.detector) {
      static const AudioFrame kSilence{};
      DtmfEvents digits = side.detector->process(side.said ? *side.said : kSilence);
      report(which, digits, DtmfMethod::kInband);
    }
  }
  uint8_t packet[SideStream::kMaxPacket];
  for (size_t i = 0; i < 2; ++i) {
    Side& side = *sides_[i];
    const RelaySide which = static_cast<RelaySide>(i);
    const Side& other = *sides_[1 - i];
    if (forwarding_[1 - i] && other.said != nullptr) {
      side.heard = *other.said;
    } else {
      side.heard.clear();
    }
    if (side.playId != 0) {
      side.player.tick(side.heard);
      if (side.player.finished()) finishPlay(side, which, absl::OkStatus());
    }
    if (side.generator) side.generator->fill(side.heard);
    if (!side.stream) continue;
    while (!pendingDigits_[i].empty()) {
      side.stream->sendDigit(pendingDigits_[i].front());
      pendingDigits_[i].erase(pendingDigits_[i].begin());
    }
    const size_t size = side.stream->packetize(side.heard, packet);
    if (size != 0) output.sendRtp(which, packet, size);
  }
  for (auto& recording : recordings_) {
    const Side& side = *sides_[Index(recording->side)];
    recording->recorder->write(side.said, &side.heard);
  }
  // Operations that ended this tick may let the relay forward again.
  update();
}

}  // namespace pbx::media::internal
