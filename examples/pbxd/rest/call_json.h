// The REST API's JSON for the call API's value types (pbx/call/): calls and their legs for
// /rest/phoneServices/activeCalls, events for /rest/events. Names are snake_case, as the seed
// PBX writes `call_uuid`; a call's id is its `linkedid` ("C1F", CallId::str()); times are
// ISO 8601 UTC with milliseconds ("2026-01-01T09:30:00.250Z"); a time or leg that is not there
// is null, so every object has the same keys.
//
//   nlohmann::json calls = nlohmann::json::array();
//   for (const auto& call : list) calls.push_back(pbxd::rest::CallJson(call));
//   std::string line = pbxd::rest::DumpJson(pbxd::rest::EventJson(event));   // one line
//
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "pbx/base/ids.h"
#include "pbx/call/call_events.h"
#include "pbx/call/call_types.h"

namespace pbxd::rest {

// "2026-01-01T09:30:00.250Z": UTC, milliseconds (truncated).
std::string FormatTimestamp(pbx::SystemTime time);
const char* LegDirectionName(pbx::call::LegDirection direction);  // "inbound", "outbound"

// {"number", "name", "account"}
nlohmann::json PartyJson(const pbx::call::Party& party);
// {"id", "direction", "state", "party", "codec", "held", "sip_call_id", "created", "answered"}
nlohmann::json LegJson(const pbx::call::LegInfo& leg);
// {"linkedid", "call_uuid", "state", "caller", "callee", "dialled", "created", "answered",
//  "legs"}
nlohmann::json CallJson(const pbx::call::CallInfo& call);
// {"cause", "sip_status", "detail"}: cause is the seed's name ("NCC", "NOANSWER", ...).
nlohmann::json EndJson(const pbx::call::EndReason& end);
// {"sequence", "event", "time", "linkedid", "call_uuid", "leg", "caller", "party", "end",
//  "detail"}: event is the seed's name ("pbx.call.start"); end is null but for
//  pbx.extension.missedcall and pbx.call.end.
nlohmann::json EventJson(const pbx::call::CallEvent& event);

// `json` on one line. Text that is not UTF-8 (a path parameter echoed in an error) is
// written with U+FFFD in place of the bad bytes instead of failing.
std::string DumpJson(const nlohmann::json& json);

// The CallId a linkedid names: "C" and 1 to 16 hex digits, not all zero; nullopt otherwise.
std::optional<pbx::CallId> ParseLinkedId(std::string_view linkedid);
// The LegId a leg's id names ("L2A", as LegJson writes it), by the same rule with "L".
std::optional<pbx::LegId> ParseLegId(std::string_view id);

}  // namespace pbxd::rest
