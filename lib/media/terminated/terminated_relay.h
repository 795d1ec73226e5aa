// TerminatedRelay: the part of a two-sided relay that decodes and encodes. While the two sides
// negotiated the same format and nothing plays, records or listens for tones, the relay
// forwards packets untouched and this only watches for RFC 4733 digits (peek()). Otherwise
// (terminating()) every packet comes here: each side's audio is decoded into 20 ms frames, and
// each tick each side is sent, in its own format, what the other side said — or a prompt, or
// DTMF — while recorders and detectors see the frames. A side whose format has SRTP keys always
// terminates: its packets are unprotected on receipt and protected on sending (srtpStats()
// counts what failed to authenticate).
//
// It knows no sockets: packets arrive through receive() and leave through PacketOutput, and
// events leave through EventOutput, so the real media thread and the simulation harness run
// the same code.
//
//   TerminatedRelay media(events);
//   media.setFormat(RelaySide::kA, pcmu);
//   media.setFormat(RelaySide::kB, opus);       // now terminating()
//   media.receive(RelaySide::kA, data, size, now);
//   media.tick(now, output);                    // every 20 ms
//
// Thread-safety: the owning media thread only (or the simulation's thread).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "lib/media/audio/audio_frame.h"
#include "lib/media/srtp/srtp_session.h"
#include "pbx/base/time_source.h"
#include "pbx/media/rtp_relay.h"

namespace pbx::media::internal {

class SideStream;
class Player;
class Recorder;
class DtmfDetector;
class DtmfGenerator;
class Rfc4733Receiver;
struct DtmfEvents;
struct Prompt;

class PacketOutput {
 public:
  virtual ~PacketOutput() = default;
  virtual void sendRtp(RelaySide side, const uint8_t* data, size_t size) = 0;
};

class EventOutput {
 public:
  virtual ~EventOutput() = default;
  virtual void report(const MediaEvent& event) = 0;
};

class TerminatedRelay {
 public:
  explicit TerminatedRelay(EventOutput& events);
  ~TerminatedRelay();

  void setFormat(RelaySide side, const StreamFormat& format);
  void setForwarding(RelaySide from, bool enabled);
  void play(RelaySide side, uint64_t id, std::vector<std::shared_ptr<const Prompt>> prompts,
            bool loop);
  void stopPlaying(RelaySide side);
  void sendDtmf(RelaySide side, const media::DtmfDigit& digit);
  void detectInband(RelaySide side, bool enabled);
  void startRecording(uint64_t id, RecordingMode mode, RelaySide side,
                      std::unique_ptr<Recorder> recorder);
  void pauseRecording(uint64_t id, bool paused);
  void stopRecording(uint64_t id);

  // Sends an event as it is (a start that failed before reaching the media thread).
  void report(const MediaEvent& event) { events_.report(event); }

  // Whether packets must come through receive() instead of being forwarded.
  bool terminating() const { return terminating_; }
  // The telephone-event payload type of `side` (-1: none), for peek().
  int telephoneEvent(RelaySide side) const { return formats_[Index(side)].telephoneEvent; }
  // A packet relayed untouched that carries a telephone-event: reports its digit.
  void peek(RelaySide side, const uint8_t* data, size_t size, MonotonicTime now);
  void receive(RelaySide side, const uint8_t* data, size_t size, MonotonicTime now);
  void tick(MonotonicTime now, PacketOutput& output);

  // SRTP on `side` since the relay was made, over every key change (zero for plain RTP).
  // authFailures is the metric to watch: tampering, or a phone with the wrong key.
  SrtpSession::Stats srtpStats(RelaySide side) const;

 private:
  struct Side;
  static size_t Index(RelaySide side) { return static_cast<size_t>(side); }
  void update();                  // recomputes terminating_ and (re)creates what it needs
  void dropStream(size_t index);  // keeps its SRTP counts
  void finishPlay(Side& side, RelaySide which, absl::Status status);
  void report(RelaySide side, const DtmfEvents& events, DtmfMethod method);
  // Re-sends digits that arrived from `from` to the other phone in its own method.
  void relayDigits(RelaySide from, const DtmfEvents& events);

  EventOutput& events_;
  std::array<StreamFormat, 2> formats_;
  std::array<std::unique_ptr<Side>, 2> sides_;
  std::array<bool, 2> forwarding_{true, true};
  std::array<std::vector<media::DtmfDigit>, 2> pendingDigits_;  // to send as RFC 4733
  std::array<std::unique_ptr<Rfc4733Receiver>, 2> peekers_;     // digits while relaying
  struct Recording;
  std::vector<std::unique_ptr<Recording>> recordings_;
  bool terminating_ = false;
};

}  // namespace pbx::media::internal
