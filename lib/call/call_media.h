// CallMedia: the media operations in progress on one call — prompts playing, digit
// collections, recordings — and the digits its legs send, which become kDtmf events and feed
// the collections. The Call owns one and hands it the media events of its relay.
//
//   media.play(relay, leg, {.files = {"menu.wav"}}, done);
//   media.collect(relay, leg, {.maxDigits = 4}, done);
//   media.onRelayEvent(event, leg);      // from the relay, on the signaling thread
//
// Completions run once each: when the operation ends, when its leg goes, or when the call
// ends (abandon()).
//
// Thread-safety: signaling thread only.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "lib/call/leg.h"
#include "pbx/base/dispatcher.h"
#include "pbx/call/call_events.h"
#include "pbx/call/call_media.h"
#include "pbx/media/rtp_relay.h"

namespace pbx::call {

class CallMedia {
 public:
  using Emit = std::function<void(CallEventType type, const Leg* leg, std::string detail)>;
  using Completion = std::function<void(absl::Status)>;
  using DigitsDone = std::function<void(absl::StatusOr<CollectedDigits>)>;

  CallMedia(Dispatcher& dispatcher, Emit emit);
  ~CallMedia();

  void play(media::RtpRelay& relay, Leg& leg, const media::PlayRequest& request, Completion done);
  void stopPlaying(media::RtpRelay& relay, Leg& leg);
  void collect(media::RtpRelay& relay, Leg& leg, const DigitCollection& request, DigitsDone done);
  uint64_t startRecording(media::RtpRelay& relay, Leg& leg, const RecordingRequest& request);
  absl::Status pauseRecording(media::RtpRelay& relay, uint64_t id, bool paused);
  absl::Status stopRecording(media::RtpRelay& relay, uint64_t id);

  bool collecting(LegId leg) const { return collections_.contains(leg); }
  // A digit from `leg`'s phone, however it came: an event, and the leg's collection.
  void digit(Leg& leg, const media::DtmfDigit& digit);
  // An event of the call's relay; `leg` is the leg on its side (null if none).
  void onRelayEvent(const media::MediaEvent& event, Leg* leg);
  // `leg` is gone (ended, or moved to another call): what was in progress for it ends.
  void legGone(const Leg& leg);
  // The call ended: everything in progress ends.
  void abandon();

 private:
  struct Collection;
  void finishCollection(LegId leg, CollectedDigits::Reason reason, char terminator = 0);
  void armCollection(Collection& collection, std::chrono::milliseconds timeout);

  Dispatcher& dispatcher_;
  Emit emit_;
  std::map<uint64_t, std::pair<LegId, Completion>> plays_;  // relay play id -> its completion
  std::map<LegId, std::unique_ptr<Collection>> collections_;
  struct Recording {
    std::string path;
    LegId leg;
  };
  std::map<uint64_t, Recording> recordings_;
};

}  // namespace pbx::call
