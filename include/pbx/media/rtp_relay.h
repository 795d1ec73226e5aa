// RtpRelay: media anchored in the PBX for one two-party call.
//
// A relay owns two RTP endpoints (each an RTP socket and the RTCP socket on port + 1) on the
// PBX's media address: side A faces the caller, side B the callee. Call control writes each
// endpoint's address into the SDP it sends (so both phones send their media to the PBX), and
// tells the relay where each phone said it wants media (from the SDP it received). Packets
// that arrive on A are sent out of B to the callee and vice versa, unchanged (G.711 and any
// other payload pass through).
//
// Symmetric RTP: phones behind NAT send from an address other than the one in their SDP; the
// relay latches each side's destination onto the source address of the packets it receives
// there, so media reaches them anyway.
//
//   auto relay = engine.createRelay({});                     // StatusOr<RtpRelayPtr>
//   offerToCallee.setMedia(relay->localAddress(RelaySide::kB));
//   relay->setRemote(RelaySide::kA, callerSdpAddress);
//   ...
//   relay.reset();                                          // closes the sockets
//
// Thread-safety: create, configure and destroy a relay on one thread (the signaling thread);
// the packet work happens on a media thread. stats() may be read from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "pbx/base/dispatcher.h"
#include "pbx/base/socket_address.h"
#include "pbx/media/media_types.h"

namespace pbx::media {

enum class RelaySide { kA = 0, kB = 1 };

inline RelaySide Other(RelaySide side) {
  return side == RelaySide::kA ? RelaySide::kB : RelaySide::kA;
}

// Counters for the packets one side's endpoint received from its phone and sent to it.
struct RtpSideStats {
  uint64_t packetsReceived = 0;
  uint64_t bytesReceived = 0;
  uint64_t packetsSent = 0;
  uint64_t bytesSent = 0;
  uint64_t packetsDropped = 0;  // not RTP/RTCP, from a stranger, or no destination known yet
};

// What a relay's terminated media reports to call control, on RelayOptions::events.
struct MediaEvent {
  enum class Type {
    kDigit,              // `digit` arrived from the phone on `side`
    kPlayFinished,       // play `id` on `side` ended: played out, stopped, or failed (`status`)
    kRecordingFinished,  // recording `id` ended: stopped (OK) or failed (`status`)
  };
  Type type = Type::kDigit;
  RelaySide side = RelaySide::kA;
  uint64_t id = 0;
  DtmfDigit digit;
  absl::Status status;
};

struct RecordRequest {
  std::string path;  // a WAV file, created or replaced
  RecordingMode mode = RecordingMode::kStereo;
  RelaySide side = RelaySide::kA;  // the leg whose "said" and "heard" the mode means
};

class RtpRelay {
 public:
  virtual ~RtpRelay() = default;

  // The PBX address a phone on `side` must send its RTP to (RTCP goes to port + 1).
  virtual SocketAddress localAddress(RelaySide side) const = 0;
  // Where the phone on `side` asked to receive media (from its SDP). An empty address (or
  // port 0) means "unknown/on hold": nothing is sent there until a packet latches it.
  virtual void setRemote(RelaySide side, const SocketAddress& remote) = 0;
  // Whether packets from `side` are forwarded to the other side (false while on hold).
  virtual void setForwarding(RelaySide from, bool enabled) = 0;
  virtual RtpSideStats stats(RelaySide side) const = 0;

  // Terminated media. The relay forwards packets unchanged while both sides negotiated the
  // same format and nothing is played, recorded or detected; otherwise it decodes what each
  // side sends and encodes what each side hears in that side's own format (transcoding).
  // A format change (re-INVITE) switches between the two on the next packet.
  virtual void setFormat(RelaySide side, const StreamFormat& format) = 0;
  // Whether the relay currently decodes and encodes (as of the last change it applied).
  virtual bool transcoding() const = 0;
  // Plays to the phone on `side` instead of what the other side says; a new play replaces the
  // one before. Returns the id its kPlayFinished event carries.
  virtual uint64_t play(RelaySide side, const PlayRequest& request) = 0;
  virtual void stopPlaying(RelaySide side) = 0;
  // Sends a digit to the phone on `side`: RFC 4733 when that side negotiated telephone-event,
  // else in-band tones.
  virtual void sendDtmf(RelaySide side, const DtmfDigit& digit) = 0;
  // Reports the digits the phone on `side` sends (kDigit events): RFC 4733 always; in-band
  // tones too while `inband` is on (which makes the relay decode that side).
  virtual void detectInbandDtmf(RelaySide side, bool inband) = 0;
  // Records to a WAV file; returns the id its kRecordingFinished event carries.
  virtual uint64_t startRecording(const RecordRequest& request) = 0;
  virtual void pauseRecording(uint64_t id, bool paused) = 0;
  virtual void stopRecording(uint64_t id) = 0;
};
using RtpRelayPtr = std::unique_ptr<RtpRelay>;

struct RelayOptions {
  // Latch onto the source of received packets (symmetric RTP). On by default.
  bool symmetricRtp = true;
  // Where onEvent runs (call control's dispatcher). Without both, no events are reported.
  Dispatcher* events = nullptr;
  std::function<void(const MediaEvent&)> onEvent;
};

}  // namespace pbx::media
