#include "examples/pbxd/rest/call_json.h"

#include "absl/strings/ascii.h"
#include "absl/time/time.h"

namespace pbxd::rest {
namespace {

using nlohmann::json;

json OptionalTime(const std::optional<pbx::SystemTime>& time) {
  return time ? json(FormatTimestamp(*time)) : json(nullptr);
}

// The value of an id as Id::str() writes it: `prefix` and 1 to 16 hex digits, not all zero.
std::optional<uint64_t> ParseIdValue(std::string_view text, char prefix) {
  if (text.size() < 2 || text.size() > 17 || text[0] != prefix) return std::nullopt;
  uint64_t value = 0;
  for (char c : text.substr(1)) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    int digit = absl::ascii_isdigit(static_cast<unsigned char>(c))
                    ? c - '0'
                    : absl::ascii_tolower(static_cast<unsigned char>(c)) - 'a' + 10;
    value = value << 4 | static_cast<uint64_t>(digit);
  }
  if (value == 0) return std::nullopt;
  return value;
}

}  // namespace

std::string FormatTimestamp(pbx::SystemTime time) {
  auto millis = std::chrono::time_point_cast<std::chrono::milliseconds>(time);
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::FromChrono(millis), absl::UTCTimeZone());
}

const char* LegDirectionName(pbx::call::LegDirection direction) {
  return direction == pbx::call::LegDirection::kInbound ? "inbound" : "outbound";
}

json PartyJson(const pbx::call::Party& party) {
  return {{"number", party.number}, {"name", party.displayName}, {"account", party.account}};
}

json LegJson(const pbx::call::LegInfo& leg) {
  return {{"id", leg.id.str()},
          {"direction", LegDirectionName(leg.direction)},
          {"state", pbx::call::LegStateName(leg.state)},
          {"party", PartyJson(leg.party)},
          {"codec", leg.codec},
          {"held", leg.held},
          {"sip_call_id", leg.sipCallId},
          {"created", FormatTimestamp(leg.created)},
          {"answered", OptionalTime(leg.answered)}};
}

json CallJson(const pbx::call::CallInfo& call) {
  json legs = json::array();
  for (const auto& leg : call.legs) legs.push_back(LegJson(leg));
  return {{"linkedid", call.id.str()},
          {"call_uuid", call.callUuid},
          {"state", pbx::call::CallStateName(call.state)},
          {"caller", PartyJson(call.caller)},
          {"callee", PartyJson(call.callee)},
          {"dialled", call.dialled},
          {"created", FormatTimestamp(call.created)},
          {"answered", OptionalTime(call.answered)},
          {"legs", std::move(legs)}};
}

json EndJson(const pbx::call::EndReason& end) {
  return {{"cause", pbx::call::CauseName(end.cause)},
          {"sip_status", end.sipStatus},
          {"detail", end.detail}};
}

json EventJson(const pbx::call::CallEvent& event) {
  return {{"sequence", event.sequence},
          {"event", pbx::call::EventName(event.type)},
          {"time", FormatTimestamp(event.time)},
          {"linkedid", event.call.str()},
          {"call_uuid", event.callUuid},
          {"leg", event.leg.valid() ? json(event.leg.str()) : json(nullptr)},
          {"caller", PartyJson(event.caller)},
          {"party", PartyJson(event.party)},
          {"end", event.end ? EndJson(*event.end) : json(nullptr)},
          {"detail", event.detail}};
}

std::string DumpJson(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<pbx::CallId> ParseLinkedId(std::string_view linkedid) {
  auto value = ParseIdValue(linkedid, 'C');
  if (!value) return std::nullopt;
  return pbx::CallId(*value);
}

std::optional<pbx::LegId> ParseLegId(std::string_view id) {
  auto value = ParseIdValue(id, 'L');
  if (!value) return std::nullopt;
  return pbx::LegId(*value);
}

}  // namespace pbxd::rest
