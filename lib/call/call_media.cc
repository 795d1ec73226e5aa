#include "lib/call/call_media.h"

#include <utility>

namespace pbx::call {

struct CallMedia::Collection {
  DigitCollection request;
  DigitsDone done;
  std::string digits;
  TimerPtr timer;
  bool inband = false;  // in-band detection was turned on for it
  media::RelaySide side = media::RelaySide::kA;
  media::RtpRelay* relay = nullptr;
};

CallMedia::CallMedia(Dispatcher& dispatcher, Emit emit)
    : dispatcher_(dispatcher), emit_(std::move(emit)) {}

CallMedia::~CallMedia() {
  recordings_.clear();  // the call is going: no events from here
  abandon();
}

void CallMedia::play(media::RtpRelay& relay, Leg& leg, const media::PlayRequest& request,
                     Completion done) {
  if (request.files.empty()) {
    if (done) done(absl::InvalidArgumentError("nothing to play"));
    return;
  }
  const uint64_t id = relay.play(leg.side, request);
  plays_[id] = {leg.id, std::move(done)};
}

void CallMedia::stopPlaying(media::RtpRelay& relay, Leg& leg) { relay.stopPlaying(leg.side); }

void CallMedia::collect(media::RtpRelay& relay, Leg& leg, const DigitCollection& request,
                        DigitsDone done) {
  if (request.maxDigits == 0) {
    if (done) done(absl::InvalidArgumentError("maxDigits must be at least 1"));
    return;
  }
  finishCollection(leg.id, CollectedDigits::Reason::kLegEnded);  // a new one replaces it
  auto collection = std::make_unique<Collection>();
  collection->request = request;
  collection->done = std::move(done);
  collection->side = leg.side;
  collection->relay = &relay;
  // A phone without RFC 4733 may send tones: listen for them while collecting.
  collection->inband = leg.format.telephoneEvent < 0;
  if (collection->inband) relay.detectInbandDtmf(leg.side, true);
  Collection& added = *collection;
  collections_[leg.id] = std::move(collection);
  const LegId id = leg.id;
  added.timer = dispatcher_.createTimer(
      [this, id] { finishCollection(id, CollectedDigits::Reason::kTimeout); });
  added.timer->enable(request.firstDigitTimeout);
}

void CallMedia::finishCollection(LegId leg, CollectedDigits::Reason reason, char terminator) {
  auto it = collections_.find(leg);
  if (it == collections_.end()) return;
  std::unique_ptr<Collection> collection = std::move(it->second);
  collections_.erase(it);
  if (collection->inband) collection->relay->detectInbandDtmf(collection->side, false);
  CollectedDigits result{std::move(collection->digits), reason, terminator};
  if (collection->done) collection->done(std::move(result));
}

void CallMedia::digit(Leg& leg, const media::DtmfDigit& digit) {
  emit_(CallEventType::kDtmf, &leg, std::string(1, digit.digit));
  auto it = collections_.find(leg.id);
  if (it == collections_.end()) return;
  Collection& collection = *it->second;
  if (collection.request.terminators.find(digit.digit) != std::string::npos)
    return finishCollection(leg.id, CollectedDigits::Reason::kTerminator, digit.digit);
  collection.digits += digit.digit;
  if (collection.digits.size() >= collection.request.maxDigits)
    return finishCollection(leg.id, CollectedDigits::Reason::kMaxDigits);
  collection.timer->enable(collection.request.interDigitTimeout);
}

uint64_t CallMedia::startRecording(media::RtpRelay& relay, Leg& leg,
                                   const RecordingRequest& request) {
  const uint64_t id = relay.startRecording({request.path, request.mode, leg.side});
  recordings_[id] = {request.path, leg.id};
  emit_(CallEventType::kRecordingStarted, &leg, request.path);
  return id;
}

absl::Status CallMedia::pauseRecording(media::RtpRelay& relay, uint64_t id, bool paused) {
  if (!recordings_.contains(id)) return absl::NotFoundError("no recording " + std::to_string(id));
  relay.pauseRecording(id, paused);
  return absl::OkStatus();
}

absl::Status CallMedia::stopRecording(media::RtpRelay& relay, uint64_t id) {
  if (!recordings_.contains(id)) return absl::NotFoundError("no recording " + std::to_string(id));
  relay.stopRecording(id);  // the event follows once the file is closed
  return absl::OkStatus();
}

void CallMedia::onRelayEvent(const media::MediaEvent& event, Leg* leg) {
  switch (event.type) {
    case media::MediaEvent::Type::kDigit:
      if (leg) digit(*leg, event.digit);
      return;
    case media::MediaEvent::Type::kPlayFinished: {
      auto it = plays_.find(event.id);
      if (it == plays_.end()) return;
      Completion done = std::move(it->second.second);
      plays_.erase(it);
      if (done) done(event.status);
      return;
    }
    case media::MediaEvent::Type::kRecordingFinished: {
      auto it = recordings_.find(event.id);
      if (it == recordings_.end()) return;
      std::string detail = it->second.path;
      recordings_.erase(it);
      if (event.status.ok()) return emit_(CallEventType::kRecordingStopped, leg, detail);
      emit_(CallEventType::kRecordingFailed, leg,
            detail + ": " + std::string(event.status.message()));
      return;
    }
  }
}

void CallMedia::legGone(const Leg& leg) {
  finishCollection(leg.id, CollectedDigits::Reason::kLegEnded);
  for (auto it = plays_.begin(); it != plays_.end();) {
    if (it->second.first != leg.id) {
      ++it;
      continue;
    }
    Completion done = std::move(it->second.second);
    it = plays_.erase(it);
    if (done) done(absl::CancelledError("the leg ended"));
  }
}

void CallMedia::abandon() {
  // The relay goes with the call and closes the files; their end is told here.
  for (const auto& [id, recording] : std::exchange(recordings_, {}))
    emit_(CallEventType::kRecordingStopped, nullptr, recording.path);
  while (!collections_.empty())
    finishCollection(collections_.begin()->first, CollectedDigits::Reason::kLegEnded);
  auto plays = std::exchange(plays_, {});
  for (auto& [id, play] : plays)
    if (play.second) play.second(absl::CancelledError("the call ended"));
}

}  // namespace pbx::call
