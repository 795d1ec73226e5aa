#include <array>

#include "pbx/call/call_events.h"
#include "pbx/call/call_types.h"

namespace pbx::call {

const char* CauseName(Cause cause) {
  switch (cause) {
    case Cause::kNormalClearing:
      return "NCC";
    case Cause::kCancelled:
      return "CANCELED";
    case Cause::kNoAnswer:
      return "NOANSWER";
    case Cause::kBusy:
      return "BUSY";
    case Cause::kUnavailable:
      return "UNAVAILABLE";
    case Cause::kNoRoute:
      return "FAILED";
    case Cause::kForbidden:
      return "FORBIDDEN";
    case Cause::kDeclined:
      return "DECLINED";
    case Cause::kCongestion:
      return "CONGESTION";
    case Cause::kPickedUp:
      return "PICKUP";
    case Cause::kParked:
      return "PARKED";
    case Cause::kBlindTransfer:
      return "BLINDXFER";
    case Cause::kAttendedTransfer:
      return "ATXFER";
    case Cause::kMediaTimeout:
      return "MEDIA_TIMEOUT";
    case Cause::kSessionExpired:
      return "SESSION_EXPIRED";
    case Cause::kDialplanError:
      return "DIALPLAN_ERROR";
    case Cause::kShutdown:
      return "SHUTDOWN";
  }
  return "??";
}

int SipStatusFor(Cause cause) {
  switch (cause) {
    case Cause::kCancelled:
      return 487;
    case Cause::kNoAnswer:
      return 480;
    case Cause::kBusy:
      return 486;
    case Cause::kUnavailable:
      return 480;
    case Cause::kNoRoute:
      return 404;
    case Cause::kForbidden:
      return 403;
    case Cause::kDeclined:
      return 603;
    case Cause::kCongestion:
      return 503;
    case Cause::kDialplanError:
      return 500;
    case Cause::kShutdown:
      return 503;
    default:
      return 0;
  }
}

Cause CauseForSipStatus(int status) {
  switch (status) {
    case 404:
    case 484:
    case 485:
    case 604:
      return Cause::kNoRoute;
    case 401:
    case 403:
    case 407:
      return Cause::kForbidden;
    case 486:
    case 600:
      return Cause::kBusy;
    case 487:
      return Cause::kCancelled;
    case 408:
      return Cause::kNoAnswer;
    case 480:
      return Cause::kUnavailable;
    case 603:
      return Cause::kDeclined;
    case 500:
    case 502:
    case 503:
    case 504:
      return Cause::kCongestion;
    default:
      return status >= 200 && status < 300 ? Cause::kNormalClearing : Cause::kUnavailable;
  }
}

const char* LegStateName(LegState state) {
  switch (state) {
    case LegState::kCalling:
      return "calling";
    case LegState::kRinging:
      return "ringing";
    case LegState::kEarly:
      return "early";
    case LegState::kAnswered:
      return "answered";
    case LegState::kEnded:
      return "ended";
  }
  return "?";
}

const char* CallStateName(CallState state) {
  switch (state) {
    case CallState::kRouting:
      return "routing";
    case CallState::kRinging:
      return "ringing";
    case CallState::kEarly:
      return "early";
    case CallState::kAnswered:
      return "answered";
    case CallState::kEnded:
      return "ended";
  }
  return "?";
}

namespace {
constexpr std::array<std::pair<CallEventType, const char*>, 17> kEventNames = {{
    {CallEventType::kCallStarted, "pbx.call.start"},
    {CallEventType::kRinging, "pbx.extension.incomingcall"},
    {CallEventType::kEarlyMedia, "pbx.call.early"},
    {CallEventType::kAnswered, "pbx.extension.answercall"},
    {CallEventType::kMissed, "pbx.extension.missedcall"},
    {CallEventType::kBridged, "pbx.call.bridged"},
    {CallEventType::kUnbridged, "pbx.call.unbridged"},
    {CallEventType::kHeld, "pbx.call.hold"},
    {CallEventType::kResumed, "pbx.call.unhold"},
    {CallEventType::kTransferred, "pbx.call.transfer-succeeded"},
    {CallEventType::kParked, "pbx.call.parked"},
    {CallEventType::kPickedUp, "pbx.call.pickup"},
    {CallEventType::kDtmf, "pbx.call.dtmf"},
    {CallEventType::kRecordingStarted, "pbx.call.recording.start"},
    {CallEventType::kRecordingStopped, "pbx.call.recording.stop"},
    {CallEventType::kRecordingFailed, "pbx.call.recording.fail"},
    {CallEventType::kCallEnded, "pbx.call.end"},
}};
}  // namespace

const char* EventName(CallEventType type) {
  for (const auto& [t, name] : kEventNames)
    if (t == type) return name;
  return "pbx.call.unknown";
}

std::optional<CallEventType> EventTypeFromName(std::string_view name) {
  for (const auto& [t, n] : kEventNames)
    if (name == n) return t;
  return std::nullopt;
}

}  // namespace pbx::call
