// The REST API's JSON of the call API's value types.
#include "examples/pbxd/rest/call_json.h"

#include <doctest/doctest.h>

#include "examples/pbxd/rest/rest_auth.h"

using namespace std::chrono_literals;
using nlohmann::json;
using pbx::call::CallEvent;
using pbx::call::CallEventType;
using pbx::call::CallInfo;
using pbx::call::CallState;
using pbx::call::Cause;
using pbx::call::LegDirection;
using pbx::call::LegInfo;
using pbx::call::LegState;
using pbxd::rest::FormatTimestamp;

namespace {

pbx::SystemTime At(const char* created, std::chrono::milliseconds plus = 0ms) {
  auto t = pbxd::rest::ParseCreated(created);
  REQUIRE(t.ok());
  return *t + plus;
}

}  // namespace

TEST_CASE("timestamps are ISO 8601 UTC with milliseconds") {
  CHECK(FormatTimestamp(At("2026-01-01T09:30:00Z", 250ms)) == "2026-01-01T09:30:00.250Z");
  CHECK(FormatTimestamp(At("2026-12-31T23:59:59Z", 999ms) + 999us) == "2026-12-31T23:59:59.999Z");
  CHECK(FormatTimestamp(At("1970-01-01T00:00:00Z")) == "1970-01-01T00:00:00.000Z");
}

TEST_CASE("a call and its legs") {
  CallInfo call;
  call.id = pbx::CallId(0x1F);
  call.callUuid = "crm-4711";
  call.state = CallState::kAnswered;
  call.caller = {"100", "Alice", "100"};
  call.callee = {"101", "Bob", "101"};
  call.dialled = "101";
  call.created = At("2026-01-01T09:30:00Z");
  call.answered = At("2026-01-01T09:30:02Z", 5ms);
  LegInfo in;
  in.id = pbx::LegId(0x2A);
  in.direction = LegDirection::kInbound;
  in.state = LegState::kAnswered;
  in.party = call.caller;
  in.sipCallId = "abc@127.0.0.1";
  in.codec = "PCMU/8000";
  in.created = call.created;
  in.answered = call.answered;
  LegInfo out = in;
  out.id = pbx::LegId(0x2B);
  out.direction = LegDirection::kOutbound;
  out.state = LegState::kRinging;
  out.party = call.callee;
  out.held = true;
  out.answered.reset();
  call.legs = {in, out};

  json expected = json::parse(R"({
    "linkedid": "C1F", "call_uuid": "crm-4711", "state": "answered",
    "caller": {"number": "100", "name": "Alice", "account": "100"},
    "callee": {"number": "101", "name": "Bob", "account": "101"},
    "dialled": "101",
    "created": "2026-01-01T09:30:00.000Z", "answered": "2026-01-01T09:30:02.005Z",
    "legs": [
      {"id": "L2A", "direction": "inbound", "state": "answered",
       "party": {"number": "100", "name": "Alice", "account": "100"},
       "codec": "PCMU/8000", "held": false, "sip_call_id": "abc@127.0.0.1",
       "created": "2026-01-01T09:30:00.000Z", "answered": "2026-01-01T09:30:02.005Z"},
      {"id": "L2B", "direction": "outbound", "state": "ringing",
       "party": {"number": "101", "name": "Bob", "account": "101"},
       "codec": "PCMU/8000", "held": true, "sip_call_id": "abc@127.0.0.1",
       "created": "2026-01-01T09:30:00.000Z", "answered": null}]})");
  CHECK(pbxd::rest::CallJson(call) == expected);

  call.answered.reset();
  CHECK(pbxd::rest::CallJson(call)["answered"].is_null());
}

TEST_CASE("events: the seed's names, the end only where there is one") {
  CallEvent start;
  start.sequence = 41;
  start.type = CallEventType::kCallStarted;
  start.time = At("2026-01-01T09:30:00Z", 1ms);
  start.call = pbx::CallId(3);
  start.callUuid = "u";
  start.caller = {"100", "Alice", "100"};
  json s = pbxd::rest::EventJson(start);
  CHECK(s["sequence"] == 41);
  CHECK(s["event"] == "pbx.call.start");
  CHECK(s["time"] == "2026-01-01T09:30:00.001Z");
  CHECK(s["linkedid"] == "C3");
  CHECK(s["call_uuid"] == "u");
  CHECK(s["leg"].is_null());
  CHECK(s["end"].is_null());
  CHECK(s["caller"]["name"] == "Alice");
  CHECK(s["party"] == json{{"number", ""}, {"name", ""}, {"account", ""}});

  CallEvent end = start;
  end.sequence = 42;
  end.type = CallEventType::kCallEnded;
  end.leg = pbx::LegId(0x10);
  end.party = {"101", "Bob", "101"};
  end.end = pbx::call::EndReason{Cause::kBusy, 486, "busy here"};
  json e = pbxd::rest::EventJson(end);
  CHECK(e["event"] == "pbx.call.end");
  CHECK(e["leg"] == "L10");
  CHECK(e["end"] == json{{"cause", "BUSY"}, {"sip_status", 486}, {"detail", "busy here"}});
  CHECK(e.size() == s.size());  // the same keys every time
}

TEST_CASE("DumpJson writes one line, and replaces bytes that are not UTF-8") {
  json value = {{"error", std::string("bad \xff byte\nand a newline")}};
  std::string line = pbxd::rest::DumpJson(value);
  CHECK(line.find('\n') == std::string::npos);
  CHECK(line.find("\\n") != std::string::npos);
  CHECK(line.find("\xef\xbf\xbd") != std::string::npos);  // U+FFFD
  CHECK_FALSE(json::parse(line, nullptr, false).is_discarded());
}

TEST_CASE("linkedids parse back to the CallId they were written from") {
  using pbxd::rest::ParseLinkedId;
  for (uint64_t v : {uint64_t{1}, uint64_t{0x1F}, uint64_t{0xABCDEF}, ~uint64_t{0}}) {
    pbx::CallId id(v);
    REQUIRE(ParseLinkedId(id.str()).has_value());
    CHECK(*ParseLinkedId(id.str()) == id);
  }
  CHECK(*ParseLinkedId("C1f") == pbx::CallId(0x1F));
  for (const char* bad : {"", "C", "1F", "L1F", "C0", "C-1", "C1G", "C 1", "C12345678901234567"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseLinkedId(bad).has_value());
  }
}

TEST_CASE("leg ids parse back to the LegId they were written from") {
  using pbxd::rest::ParseLegId;
  for (uint64_t v : {uint64_t{1}, uint64_t{0x2A}, ~uint64_t{0}}) {
    pbx::LegId id(v);
    REQUIRE(ParseLegId(id.str()).has_value());
    CHECK(*ParseLegId(id.str()) == id);
  }
  for (const char* bad : {"", "L", "C1", "L0", "L1G", "caller"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseLegId(bad).has_value());
  }
}
