#include "examples/pbxd/rest/openapi.h"

#include <string>

namespace pbxd::rest {
namespace {

using nlohmann::json;

json Ref(const std::string& schema) { return {{"$ref", "#/components/schemas/" + schema}}; }

json JsonContent(const json& schema) { return {{"application/json", {{"schema", schema}}}}; }

json Reply(const std::string& description, const std::string& schema) {
  return {{"description", description}, {"content", JsonContent(Ref(schema))}};
}

json Error(const std::string& description) { return Reply(description, "Error"); }

json PathParameter(const std::string& name, const std::string& description) {
  return {{"name", name},
          {"in", "path"},
          {"required", true},
          {"description", description},
          {"schema", {{"type", "string"}, {"maxLength", 256}}}};
}

json QueryParameter(const std::string& name, const std::string& description,
                    const std::string& type = "string") {
  return {{"name", name},
          {"in", "query"},
          {"required", false},
          {"description", description},
          {"schema", {{"type", type}}}};
}

// The errors every authenticated endpoint may answer.
json AuthErrors() {
  return {{"400", Error("A malformed X-authenticate header, path parameter or body")},
          {"401", Error("No X-authenticate header, wrong credentials, a replayed nonce, or a "
                        "Created more than 5 minutes from the server's clock")},
          {"503", Error("The server remembers too many nonces, or is stopping")}};
}

json Operation(const std::string& summary, const std::string& description, json parameters,
               json responses) {
  json op = {{"summary", summary},
             {"description", description},
             {"security", json::array({json::object({{"XAuthenticate", json::array()}})})},
             {"responses", AuthErrors()}};
  if (!parameters.empty()) op["parameters"] = std::move(parameters);
  for (auto& [code, response] : responses.items()) op["responses"][code] = response;
  return op;
}

json ClickToCall(bool post) {
  json op = Operation(
      "Click-to-call: ring the source, then connect it to the destination",
      "The source extension rings first, showing `c2c: <dest_exten>`; once it answers, the "
      "destination rings and the two are connected. Answers once the source rings; the call's "
      "progress follows on /rest/events. `*` and `#` are allowed in the destination "
      "(percent-encode `#` as %23).",
      json::array({PathParameter("dest_exten", "The number to call: an extension or SIP URI"),
                   PathParameter("source_exten", "The extension that rings first"),
                   QueryParameter("call_uuid",
                                  "A correlation id echoed in every event of the call (at most "
                                  "128 printable ASCII characters)")}),
      {{post ? "201" : "200", Reply("The call exists and the source rings", "ClickToCall")},
       {"404", Error("The source or destination is neither an extension nor a SIP URI")},
       {"409", Error("Nothing is registered for the source extension")},
       {"504", Error("The PBX did not start the call within 5 s")}});
  if (post) {
    op["requestBody"] = {
        {"required", false},
        {"content",
         JsonContent({{"type", "object"},
                      {"properties", {{"call_uuid", {{"type", "string"}, {"maxLength", 128}}}}},
                      {"description",
                       "Other fields (the seed's destination_type, ...) are "
                       "ignored. The same call_uuid as the query's, if both."}})}};
  }
  return op;
}

json Schemas() {
  json party = {{"type", "object"},
                {"properties",
                 {{"number", {{"type", "string"}}},
                  {"name", {{"type", "string"}}},
                  {"account", {{"type", "string"}, {"description", "the SIP account"}}}}}};
  json time = {{"type", "string"},
               {"format", "date-time"},
               {"description", "UTC, milliseconds: 2026-01-01T09:30:00.250Z"}};
  json nullableTime = time;
  nullableTime["nullable"] = true;
  json leg = {{"type", "object"},
              {"properties",
               {{"id", {{"type", "string"}, {"example", "L2A"}}},
                {"direction", {{"type", "string"}, {"enum", json::array({"inbound", "outbound"})}}},
                {"state",
                 {{"type", "string"},
                  {"enum", json::array({"calling", "ringing", "early", "answered", "ended"})}}},
                {"party", Ref("Party")},
                {"codec", {{"type", "string"}, {"example", "PCMU/8000"}}},
                {"held", {{"type", "boolean"}}},
                {"sip_call_id", {{"type", "string"}}},
                {"created", time},
                {"answered", nullableTime}}}};
  json call = {{"type", "object"},
               {"properties",
                {{"linkedid", {{"type", "string"}, {"example", "C1F"}}},
                 {"call_uuid", {{"type", "string"}}},
                 {"state",
                  {{"type", "string"},
                   {"enum", json::array({"routing", "ringing", "early", "answered", "ended"})}}},
                 {"caller", Ref("Party")},
                 {"callee", Ref("Party")},
                 {"dialled", {{"type", "string"}}},
                 {"created", time},
                 {"answered", nullableTime},
                 {"legs", {{"type", "array"}, {"items", Ref("Leg")}}}}}};
  json end = {{"type", "object"},
              {"nullable", true},
              {"properties",
               {{"cause", {{"type", "string"}, {"example", "NCC"}}},
                {"sip_status", {{"type", "integer"}}},
                {"detail", {{"type", "string"}}}}}};
  json event = {
      {"type", "object"},
      {"description", "The data of one server-sent event of /rest/events"},
      {"properties",
       {{"sequence", {{"type", "integer"}, {"description", "also the SSE id"}}},
        {"event",
         {{"type", "string"},
          {"enum", json::array({"pbx.call.start", "pbx.extension.incomingcall", "pbx.call.early",
                                "pbx.extension.answercall", "pbx.extension.missedcall",
                                "pbx.call.bridged", "pbx.call.unbridged", "pbx.call.hold",
                                "pbx.call.unhold", "pbx.call.transfer-succeeded", "pbx.call.parked",
                                "pbx.call.pickup", "pbx.call.dtmf", "pbx.call.end"})}}},
        {"time", time},
        {"linkedid", {{"type", "string"}}},
        {"call_uuid", {{"type", "string"}}},
        {"leg", {{"type", "string"}, {"nullable", true}}},
        {"caller", Ref("Party")},
        {"party", Ref("Party")},
        {"end", end},
        {"detail", {{"type", "string"}}}}}};
  return {{"Error",
           {{"type", "object"},
            {"required", json::array({"error", "code"})},
            {"properties", {{"error", {{"type", "string"}}}, {"code", {{"type", "integer"}}}}}}},
          {"Salt",
           {{"type", "object"},
            {"properties", {{"domain", {{"type", "string"}}}, {"salt", {{"type", "string"}}}}}}},
          {"ClickToCall",
           {{"type", "object"},
            {"properties",
             {{"linkedid", {{"type", "string"}}},
              {"call_uuid", {{"type", "string"}}},
              {"source", {{"type", "string"}}},
              {"destination", {{"type", "string"}}}}}}},
          {"LinkedId", {{"type", "object"}, {"properties", {{"linkedid", {{"type", "string"}}}}}}},
          {"Party", party},
          {"Leg", leg},
          {"Call", call},
          {"Calls",
           {{"type", "object"},
            {"properties", {{"calls", {{"type", "array"}, {"items", Ref("Call")}}}}}}},
          {"CallEvent", event}};
}

}  // namespace

json OpenApiDocument() {
  json paths;
  paths["/rest/salt/{domain}"]["get"] = {
      {"summary", "The salt of a domain, for the X-authenticate digest (no authentication)"},
      {"parameters", json::array({PathParameter("domain", "The tenant domain: default")})},
      {"security", json::array()},
      {"responses", {{"200", Reply("The salt", "Salt")}, {"404", Error("No such domain")}}}};
  paths["/api/doc.json"]["get"] = {
      {"summary", "This document (no authentication)"},
      {"security", json::array()},
      {"responses", {{"200", {{"description", "The OpenAPI 3 document"}}}}}};
  paths["/rest/phoneServices/c2c/{dest_exten}/{source_exten}"]["get"] = ClickToCall(false);
  paths["/rest/phoneServices/c2c/{dest_exten}/{source_exten}"]["post"] = ClickToCall(true);
  paths["/rest/phoneServices/activeCalls"]["get"] = Operation(
      "The calls in progress", "Optionally only those of an extension, or one call.",
      json::array({QueryParameter("extension",
                                  "Only calls whose caller, callee or a leg is this extension "
                                  "or SIP account"),
                   QueryParameter("linkedid", "Only this call")}),
      {{"200", Reply("The calls, oldest first", "Calls")},
       {"504", Error("The PBX did not answer within 5 s")}});
  json hangup = Operation(
      "Hang a call up", "Every leg is cancelled (unanswered) or sent BYE (answered).",
      json::array({PathParameter("linkedid", "The call, as the API writes it: C1F")}),
      {{"200", Reply("The call is being ended; pbx.call.end follows on /rest/events", "LinkedId")},
       {"404", Error("No such call (or it has ended)")},
       {"409", Error("The call's state does not allow it")},
       {"504", Error("The PBX did not answer within 5 s")}});
  paths["/rest/phoneServices/hangup/{linkedid}"]["post"] = hangup;
  paths["/rest/phoneServices/hangup/{linkedid}"]["delete"] = hangup;
  json events = Operation(
      "The call events, as server-sent events",
      "One SSE event per call event: `id` is its sequence number, `event` its name "
      "(pbx.call.start, ...), `data` one line of JSON (the CallEvent schema). A comment every "
      "15 s keeps the connection open. Resume with the Last-Event-ID header (it takes "
      "precedence over since). A client that falls 2000 events behind is disconnected after a "
      "comment saying so, and resumes with Last-Event-ID.",
      json::array(
          {QueryParameter("since", "Start after this sequence number, from the history", "integer"),
           QueryParameter("types", "Comma-separated event names: pbx.call.start,pbx.call.end"),
           QueryParameter("linkedid", "Only this call's events"),
           QueryParameter("extension", "Only events whose caller or party is this number")}),
      {{"200",
        {{"description", "The stream"},
         {"content", {{"text/event-stream", {{"schema", Ref("CallEvent")}}}}}}},
       {"410", Error("The history no longer holds the event after since/Last-Event-ID (or it "
                     "is newer than the newest): reconnect without them")}});
  events["parameters"].push_back({{"name", "Last-Event-ID"},
                                  {"in", "header"},
                                  {"required", false},
                                  {"description", "Resume after this sequence number"},
                                  {"schema", {{"type", "integer"}}}});
  events["responses"]["503"] = Error("Too many event streams are open, or pbxd is stopping");
  paths["/rest/events"]["get"] = events;

  return {
      {"openapi", "3.0.3"},
      {"info",
       {{"title", "pbxd REST API"},
        {"version", "1"},
        {"description",
         "Call control and call events of a pbxkit PBX. Every endpoint but the salt and this "
         "document needs the X-authenticate header (docs/rest-api.md). Coming once the call API "
         "has them: POST /rest/phoneServices/blindTransfer/{linkedid}/{destination}, "
         "/hold/{linkedid}, /unhold/{linkedid}, /dtmf/{linkedid}/{digits}."}}},
      {"servers", json::array({json::object({{"url", "/"}})})},
      {"paths", paths},
      {"components",
       {{"schemas", Schemas()},
        {"securitySchemes",
         {{"XAuthenticate",
           {{"type", "apiKey"},
            {"in", "header"},
            {"name", "X-authenticate"},
            {"description",
             "RestApiUsernameToken Username=\"admin\", Domain=\"default\", Digest=\"...\", "
             "Nonce=\"<hex, new for every request>\", Created=\"YYYY-MM-DDThh:mm:ssZ\" with "
             "Digest = base64(sha256(Nonce + hex(sha256(password + '{' + salt + '}')) + "
             "Username + Domain + Created)); the salt from /rest/salt/{domain}"}}}}}}}};
}

}  // namespace pbxd::rest
