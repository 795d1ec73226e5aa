// Value types of the call API: what a call and its legs are, and why they end.
//
// A call joins legs. A leg is one SIP dialog with one phone (or trunk) and the media endpoint
// that faces it; an inbound call starts with the caller's leg, and every device it rings is an
// outbound leg of the same call until one answers and is bridged to the caller.
//
//   pbx::call::CallInfo info = ...;              // from CallControl::listCalls()
//   for (const auto& leg : info.legs)
//     std::cout << leg.id.str() << " " << leg.party.number << " " << LegStateName(leg.state);
//
// Thread-safety: value types.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pbx/base/ids.h"
#include "pbx/base/time_source.h"

namespace pbx::call {

// Why a call or a leg ended: the exit causes of the seed PBX's CDR, so a report written for it
// reads pbxkit's the same way (CauseName() gives the seed's spelling).
enum class Cause {
  kNormalClearing,    // NCC: an answered call ended by a hangup
  kCancelled,         // CANCELED: the caller gave up before the answer
  kNoAnswer,          // NOANSWER: rang until the timeout
  kBusy,              // BUSY
  kUnavailable,       // UNAVAILABLE: nothing registered, or unreachable
  kNoRoute,           // FAILED: no such extension, no route
  kForbidden,         // FORBIDDEN: authentication or permission refused
  kDeclined,          // DECLINED: refused by the callee or the dialplan
  kCongestion,        // CONGESTION: overload, no media ports, the next hop failed
  kPickedUp,          // PICKUP: another phone took the call
  kParked,            // PARKED
  kBlindTransfer,     // BLINDXFER
  kAttendedTransfer,  // ATXFER
  kMediaTimeout,      // no RTP in either direction for media.rtpTimeout
  kSessionExpired,    // the RFC 4028 session timer ran out
  kDialplanError,     // the dialplan decided nothing in time, or failed
  kShutdown,          // the PBX is stopping
};
// The seed's name of a cause: "NCC", "CANCELED", "NOANSWER", "BUSY", ...
const char* CauseName(Cause cause);
// The SIP status a caller is refused with for a cause (486 for kBusy, 404 for kNoRoute, ...);
// 0 for causes that end answered calls.
int SipStatusFor(Cause cause);
// The cause a final SIP error response means (486 -> kBusy, 404 -> kNoRoute, ...).
Cause CauseForSipStatus(int status);

// Why a call or leg ended: the cause, and the SIP status it was sent or received with (0 when
// it ended with a BYE).
struct EndReason {
  Cause cause = Cause::kNormalClearing;
  int sipStatus = 0;
  std::string detail{};  // a person-readable note: "callee hung up", "no RTP for 60s"
};

// One side of a call as people know it.
struct Party {
  std::string number;       // extension number, or the user part of a SIP URI
  std::string displayName;  // may be empty
  std::string account;      // the SIP account (digest username) of an extension's device
};

enum class LegDirection { kInbound, kOutbound };  // the phone called us / we called the phone
enum class LegState { kCalling, kRinging, kEarly, kAnswered, kEnded };
const char* LegStateName(LegState state);  // "calling", "ringing", ...

enum class CallState {
  kRouting,   // the dialplan has not decided yet
  kRinging,   // legs ring (or the source of a click-to-call rings)
  kEarly,     // the caller hears early media
  kAnswered,  // a leg answered
  kEnded,
};
const char* CallStateName(CallState state);

struct LegInfo {
  LegId id;
  LegDirection direction = LegDirection::kInbound;
  LegState state = LegState::kCalling;
  Party party;
  std::string sipCallId;  // the Call-ID of the leg's dialog
  std::string codec;      // "PCMU/8000" once negotiated, else empty
  bool held = false;      // the phone put the leg on hold (sendonly/inactive)
  SystemTime created{};
  std::optional<SystemTime> answered{};
};

struct CallInfo {
  CallId id;
  std::string callUuid;  // the correlation id the program gave it, or empty
  CallState state = CallState::kRouting;
  Party caller;
  Party callee;         // who answered, or who is rung
  std::string dialled;  // the number the caller dialled
  SystemTime created{};
  std::optional<SystemTime> answered{};
  std::vector<LegInfo> legs;  // the legs still up
};

}  // namespace pbx::call
