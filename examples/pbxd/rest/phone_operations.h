// The operations behind the phone-services endpoints that act on a call (phone_services.h):
// each reads its path and query parameters, refuses malformed ones at once (InvalidArgument:
// 400, before anything reaches the PBX), resolves a leg named by role (leg_selector.h) and
// starts one operation of pbx::call::CallControl.
//
//   router.add({"POST"}, "/rest/phoneServices/hold/{linkedid}", onCall(operations::Hold(true)));
//
// Thread-safety: the operations keep no state; each runs on the HTTP thread that starts it and
// continues on the PBX's event thread.
#pragma once

#include <functional>
#include <optional>
#include <string_view>

#include "absl/status/statusor.h"
#include "examples/pbxd/rest/leg_selector.h"
#include "examples/pbxd/rest/phone_services.h"

namespace pbxd::rest::operations {

// Every leg is cancelled (unanswered) or sent BYE (answered).
PhoneServices::CallOperation Hangup();
// {destination}; ?stays=caller|callee|<leg> (default: the caller's leg, as the call API picks
// it): the other leg is replaced by whoever answers at destination.
PhoneServices::CallOperation BlindTransfer();
// {linkedid2}: the party the two calls share leaves both; the others are connected.
PhoneServices::CallOperation AttendedTransfer();
// ?leg=caller|callee|<leg> (default: every answered leg).
PhoneServices::CallOperation Hold(bool hold);
// {digits} (1 to 64 of 0-9 * # A-D); ?to=caller|callee|<leg> (default callee). Answers
// {"leg": the leg that was sent the digits}.
PhoneServices::CallOperation SendDtmf();
// ?stays=caller|callee|<leg> (default: the caller's leg). Answers {"slot": "890"}.
PhoneServices::CallOperation Park();
// The seed's redirectCall: a blind transfer to {destination}. {source}, when the route has
// it, is the party that leaves the call (the one redirecting it: its leg is replaced, the
// opposite leg stays); without it the caller stays.
PhoneServices::CallOperation RedirectCall();

// {slot}, {destination}: rings destination for the call parked in slot.
PhoneServices::FindOperation Unpark();
// {ringing_exten}, {destination}: rings destination too for the newest call ringing there.
PhoneServices::FindOperation Pickup();

// Whether `digits` is 1 to 64 DTMF digits (0-9 * # A-D, either case).
bool IsDtmfDigits(std::string_view digits);

// ---- what the operations share (media_operations.h uses them too) ----

// A completion of the call API that answers with no fields of its own.
pbx::call::Completion NoFields(PhoneServices::ResultCallback done);
// The query parameter `name` as a LegSelector; nullopt when the query does not have it.
absl::StatusOr<std::optional<LegSelector>> QueryLeg(const httplib::Request& request,
                                                    const char* name);
// Runs `then` with the leg `which` names in call `id`: at once for a leg id (the call API
// checks that the call has it), else once listCalls() described the call. `done` gets why
// there is no such leg.
void WithLeg(pbx::call::CallControl& calls, pbx::CallId id, const LegSelector& which,
             std::function<void(pbx::LegId)> then, PhoneServices::ResultCallback done);
// Runs `then` with the leg of the optional query parameter `name`: LegId() (the call API's
// default) when the query does not have it.
void WithOptionalLeg(pbx::call::CallControl& calls, const RequestContext& request, const char* name,
                     pbx::CallId id, std::function<void(pbx::LegId)> then,
                     PhoneServices::ResultCallback done);

}  // namespace pbxd::rest::operations
