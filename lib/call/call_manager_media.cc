// CallManager: the call API's media operations — prompts, digit collection, recording.
#include "lib/call/call_manager.h"

#include "lib/base/log.h"

namespace pbx::call {
namespace {

// The call's leg `id` (the anchor when invalid) with its relay, or why there is none.
absl::StatusOr<std::pair<Leg*, media::RtpRelay*>> MediaLeg(Call* call, CallId callId, LegId id) {
  if (call == nullptr) return absl::NotFoundError("no call " + callId.str());
  Leg* leg = id.valid() ? call->findLeg(id) : call->anchor();
  if (leg == nullptr)
    return absl::NotFoundError("call " + callId.str() + " has no leg " + id.str());
  if (call->relay() == nullptr || !leg->format.known())
    return absl::FailedPreconditionError("leg " + leg->id.str() +
                                         " has no media yet (answer it or send early media)");
  return std::make_pair(leg, call->relay());
}

}  // namespace

void CallManager::play(CallId id, LegId legId, const media::PlayRequest& request, Completion done) {
  Call* call = find(id);
  auto leg = MediaLeg(call, id, legId);
  if (!leg.ok()) return done(leg.status());
  call->mediaOperations().play(*leg->second, *leg->first, request, std::move(done));
}

absl::Status CallManager::stopPlaying(CallId id, LegId legId) {
  Call* call = find(id);
  auto leg = MediaLeg(call, id, legId);
  if (!leg.ok()) return leg.status();
  call->mediaOperations().stopPlaying(*leg->second, *leg->first);
  return absl::OkStatus();
}

void CallManager::collectDigits(CallId id, LegId legId, const DigitCollection& request,
                                std::function<void(absl::StatusOr<CollectedDigits>)> done) {
  Call* call = find(id);
  auto leg = MediaLeg(call, id, legId);
  if (!leg.ok()) return done(leg.status());
  call->mediaOperations().collect(*leg->second, *leg->first, request, std::move(done));
}

absl::StatusOr<uint64_t> CallManager::startRecording(CallId id, const RecordingRequest& request) {
  if (request.path.empty()) return absl::InvalidArgumentError("name the file to record to");
  Call* call = find(id);
  auto leg = MediaLeg(call, id, request.leg);
  if (!leg.ok()) return leg.status();
  return call->mediaOperations().startRecording(*leg->second, *leg->first, request);
}

absl::Status CallManager::pauseRecording(CallId id, uint64_t recording, bool paused) {
  Call* call = find(id);
  if (call == nullptr || call->relay() == nullptr)
    return absl::NotFoundError("no call " + id.str());
  return call->mediaOperations().pauseRecording(*call->relay(), recording, paused);
}

absl::Status CallManager::stopRecording(CallId id, uint64_t recording) {
  Call* call = find(id);
  if (call == nullptr || call->relay() == nullptr)
    return absl::NotFoundError("no call " + id.str());
  return call->mediaOperations().stopRecording(*call->relay(), recording);
}

void CallManager::callDigit(Call& call, Leg& leg, const media::DtmfDigit& digit, bool inCall) {
  metrics_.dtmf(digit.method).inc();
  if (!inCall) return;
  auto it = featureMatchers_.try_emplace(leg.id, options_.features).first;
  auto feature = it->second.add(digit.digit, dispatcher_.timeSource().monotonicTime());
  if (feature) runFeature(call, leg, *feature);
}

void CallManager::runFeature(Call& call, Leg& leg, Feature feature) {
  Leg* other = call.anchor() == &leg ? call.partner() : call.anchor();
  if (other == nullptr || call.relay() == nullptr) return;
  const CallId id = call.id();
  const LegId stays = other->id;
  switch (feature) {
    case Feature::kPark: {
      auto slot = park(id, stays);
      PBX_LOG(kInfo, "call", id.str(), "{} pressed park: {}", leg.party.number,
              slot.ok() ? "slot " + *slot : std::string(slot.status().message()));
      return;
    }
    case Feature::kBlindTransfer: {
      // The target follows, ended by # or a pause; the other party waits meanwhile.
      DigitCollection target{.maxDigits = 32,
                             .firstDigitTimeout = options_.features.interDigitTimeout * 5,
                             .interDigitTimeout = options_.features.interDigitTimeout,
                             .terminators = "#"};
      call.mediaOperations().collect(
          *call.relay(), leg, target, [this, id, stays](absl::StatusOr<CollectedDigits> got) {
            if (!got.ok() || got->digits.empty()) return;
            absl::Status moved = blindTransfer(id, got->digits, stays);
            PBX_LOG(kInfo, "call", id.str(), "transfer by code to {}: {}", got->digits,
                    moved.ok() ? std::string("ringing") : std::string(moved.message()));
          });
      return;
    }
    case Feature::kRecord: {
      if (options_.features.recordingsDirectory.empty()) return;
      auto on = recordingsOnDemand_.find(id);
      if (on != recordingsOnDemand_.end()) {
        stopRecording(id, on->second).IgnoreError();
        recordingsOnDemand_.erase(on);
        return;
      }
      const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
          dispatcher_.timeSource().systemTime().time_since_epoch());
      RecordingRequest request{options_.features.recordingsDirectory + "/" + id.str() + "-" +
                                   std::to_string(seconds.count()) + ".wav",
                               media::RecordingMode::kStereo, leg.id};
      auto started = startRecording(id, request);
      if (started.ok()) recordingsOnDemand_[id] = *started;
      return;
    }
  }
}

}  // namespace pbx::call
