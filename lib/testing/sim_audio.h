// SimAudio: the media of one simulated phone's call — real RTP in the codec the phone
// negotiated, a tone or silence every 20 ms of simulated time, DTMF as RFC 4733 events or
// in-band tones, and what it received decoded, so a test can ask which frequency it heard and
// which digits arrived.
//
// Thread-safety: the test's thread (the simulated engine's ticks).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "pbx/base/socket_address.h"
#include "pbx/media/media_types.h"
#include "pbx/testing/simulated_media.h"

namespace pbx::media::internal {
class AudioEncoder;
class AudioDecoder;
class Rfc4733Sender;
class Rfc4733Receiver;
class DtmfGenerator;
class DtmfDetector;
}  // namespace pbx::media::internal

namespace pbx::testing {

class SimAudio {
 public:
  // `remoteSdp` is what the PBX last sent the phone (read each tick); `codecs` are the
  // phone's own, by SDP name.
  SimAudio(SimulatedMediaEngine& engine, const TimeSource& time, SocketAddress local,
           std::function<const std::string&()> remoteSdp, std::vector<std::string> codecs,
           bool telephoneEvent);
  ~SimAudio();

  // The SDP the PBX sent us changed: sending follows its first codec we have.
  void negotiate(const std::string& remoteSdp);
  // Follows the PBX's SDP now, rather than at the next tick.
  void sync() {
    if (remoteSdp_() != negotiated_) negotiate(remoteSdp_());
  }
  const media::StreamFormat& format() const { return format_; }

  void playTone(int frequencyHz) { toneHz_ = frequencyHz; }
  void sendDigit(char digit, media::DtmfMethod method, std::chrono::milliseconds duration);
  // The dominant frequency of the audio received in the last `window`, 0 for silence.
  double receivedFrequency(std::chrono::milliseconds window) const;
  // Digits received, in order, by the method they came in.
  std::string receivedDigits(media::DtmfMethod method) const;
  // Milliseconds of received audio so far (decoded or concealed by us: none).
  uint64_t receivedMs() const { return receivedSamples_ / 16; }
  // The longest run of received silence or missing audio since audio first arrived, in ms.
  uint64_t longestGapMs() const { return longestGap_ / 16; }
  void stop();

 private:
  void tick();
  void onPacket(std::span<const uint8_t> packet);
  void append(const int16_t* samples, size_t count);

  SimulatedMediaEngine& engine_;
  const TimeSource& time_;
  const SocketAddress local_;
  std::function<const std::string&()> remoteSdp_;
  const std::vector<std::string> codecs_;
  const bool telephoneEvent_;
  std::string negotiated_;  // the remote SDP format_ follows
  SocketAddress remote_;
  uint64_t ticker_ = 0;
  media::StreamFormat format_;
  std::map<int, std::string> remoteTypes_;  // payload type -> codec, from the PBX's SDP
  std::unique_ptr<media::internal::AudioEncoder> encoder_;
  std::map<int, std::unique_ptr<media::internal::AudioDecoder>> decoders_;
  std::unique_ptr<media::internal::Rfc4733Sender> eventSender_;
  std::unique_ptr<media::internal::Rfc4733Receiver> eventReceiver_;
  std::unique_ptr<media::internal::DtmfGenerator> generator_;
  std::unique_ptr<media::internal::DtmfDetector> detector_;
  int toneHz_ = 0;
  double phase_ = 0;
  uint16_t sequence_ = 1;
  uint32_t timestamp_ = 1000;
  bool marker_ = true;
  std::deque<int16_t> history_;  // the last seconds received, 16 kHz
  std::vector<int16_t> detectorInput_;
  std::map<media::DtmfMethod, std::string> digits_;
  uint64_t receivedSamples_ = 0;
  uint64_t gap_ = 0;
  uint64_t longestGap_ = 0;
  MonotonicTime lastPacket_{};
};

}  // namespace pbx::testing
