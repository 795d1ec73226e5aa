#include "examples/pbxd/rest/openapi.h"

#include <string>

#include "examples/pbxd/rest/openapi_parts.h"

namespace pbxd::rest {
namespace {

using nlohmann::json;
using namespace openapi_internal;  // NOLINT: the document's building blocks

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

// The call-control operations beyond click-to-call, activeCalls and hangup.
void AddCallOperations(json& paths) {
  const std::string prefix = "/rest/phoneServices/";
  const std::string stays =
      "Which leg stays: caller, callee or a leg's id (L2A, as activeCalls lists it); "
      "default: the caller's";
  paths[prefix + "blindTransfer/{linkedid}/{destination}"]["post"] = CallOperation(
      "Blind transfer of an answered call",
      "The destination rings for the leg that stays; whoever answers takes the other leg's "
      "place, and that leg is hung up (pbx.call.transfer-succeeded follows the answer). "
      "Answers once the destination rings; if nobody answers, the call stays as it was. The "
      "park extension as destination parks the call.",
      json::array({LinkedIdParameter(),
                   PathParameter("destination",
                                 "An extension or SIP URI (percent-encode # as "
                                 "%23)"),
                   LegQuery("stays", stays)}),
      "The destination rings", "LinkedId",
      "The call is not a two-party answered call, or is being transferred");
  paths[prefix + "blindTransfer/{linkedid}/{destination}"]["post"]["responses"]["404"] = Error(
      "No such call or leg, or a destination with nothing that can ring (unknown, or "
      "nothing registered)");
  paths[prefix + "attendedTransfer/{linkedid}/{linkedid2}"]["post"] = CallOperation(
      "Attended transfer: connect the other parties of two answered calls",
      "The party the two calls have in common (the transferor) leaves both; the second call's "
      "other party is moved into the first call with a re-INVITE, and the second call ends "
      "with cause ATTENDEDTRANSFER. Answers once the move is done.",
      json::array({LinkedIdParameter(), LinkedIdParameter("linkedid2")}),
      "The parties are "
      "connected in the first call",
      "LinkedId",
      "A call is not answered, the moved phone refused the re-INVITE, or a party left during "
      "the transfer");
  paths[prefix + "attendedTransfer/{linkedid}/{linkedid2}"]["post"]["responses"]["400"] = Error(
      "A malformed linkedid or header; the same call twice; calls without a party in "
      "common");
  for (bool hold : {true, false}) {
    paths[prefix + (hold ? "hold/{linkedid}" : "unhold/{linkedid}")]["post"] = CallOperation(
        hold ? "Put an answered call (or one leg) on hold (the seed's pause)"
             : "Resume a held call (or one leg) (the seed's unpause)",
        hold ? "Each leg is sent a re-INVITE with a=sendonly: it neither hears nor is heard "
               "until unhold. pbx.call.hold follows for each leg. Answers once the phones "
               "answered the re-INVITEs."
             : "Each leg is sent a re-INVITE with a=sendrecv and media flows again. "
               "pbx.call.unhold follows for each leg.",
        json::array(
            {LinkedIdParameter(), LegQuery("leg",
                                           "Only this leg: caller, callee or a leg's id (L2A); "
                                           "default: every answered leg")}),
        hold ? "The legs are held" : "The legs are resumed", "LinkedId",
        "The call (or leg) is not answered, or a phone refused the re-INVITE");
  }
  paths[prefix + "dtmf/{linkedid}/{digits}"]["post"] = CallOperation(
      "Send DTMF digits to the caller's or the callee's phone",
      "Each digit is sent as a SIP INFO (application/dtmf-relay, Signal=<digit>, "
      "Duration=160) to the leg's phone.",
      json::array({LinkedIdParameter(),
                   PathParameter("digits", "1 to 64 of 0-9 * # A-D; percent-encode # as %23"),
                   LegQuery("to", "caller, callee or a leg's id (L2A); default: callee")}),
      "The digits were sent", "DtmfSent",
      "The leg is not answered, or the call has no leg in "
      "that role");
  paths[prefix + "park/{linkedid}"]["post"] = CallOperation(
      "Park an answered call in a free slot",
      "The leg that stays waits in the slot (pick it up with unpark, or by dialling the slot); "
      "the other leg is hung up. A call left parked too long rings the phone that parked it.",
      json::array({LinkedIdParameter(), LegQuery("stays", stays)}), "The call is parked", "Parked",
      "The call is not answered, or is being transferred");
  paths[prefix + "park/{linkedid}"]["post"]["responses"]["503"] = Error(
      "Every park slot is taken (or the server's own refusals: too many nonces, "
      "stopping)");
  paths[prefix + "unpark/{slot}/{destination}"]["post"] = Operation(
      "Ring a destination for a parked call",
      "Whoever answers at the destination is connected to the parked call (the call keeps its "
      "linkedid).",
      json::array({PathParameter("slot", "The slot the call is parked in: 890"),
                   PathParameter("destination", "An extension or SIP URI")}),
      {{"200", Reply("The destination rings", "LinkedId")},
       {"404", Error("No call is parked in the slot")},
       {"409", Error("The destination has nothing that can ring")},
       {"504", Error("The PBX did not complete the operation within 5 s")}});
  paths[prefix + "pickup/{ringing_exten}/{destination}"]["post"] = Operation(
      "Pickup with invite: ring a destination too for a call ringing at an extension",
      "The destination rings for the newest call ringing at ringing_exten; whoever answers "
      "first takes the call (pbx.call.pickup).",
      json::array({PathParameter("ringing_exten", "The extension where the call rings"),
                   PathParameter("destination", "An extension or SIP URI")}),
      {{"200", Reply("The destination rings too", "LinkedId")},
       {"404", Error("No call rings at the extension")},
       {"409", Error("The destination has nothing that can ring")},
       {"504", Error("The PBX did not complete the operation within 5 s")}});

  const std::string redirect = "/api/pbx/v2/phoneService/redirectCall/{linkedId}/internal/";
  for (bool withSource : {false, true}) {
    json parameters =
        json::array({LinkedIdParameter("linkedId"),
                     PathParameter("destination", "An extension or SIP URI that takes the call")});
    if (withSource)
      parameters.push_back(
          PathParameter("source",
                        "The party that redirects the call, an extension number or SIP account "
                        "of one of its legs: its leg is replaced by the destination, the opposite "
                        "leg stays"));
    json op = CallOperation(
        "Redirect an answered call (the seed's v2 redirectCall): a blind transfer",
        withSource ? "A blind transfer of the call to destination: the party opposite source "
                     "stays, source's leg is hung up once destination answers."
                   : "A blind transfer of the call to destination: the caller stays, the "
                     "callee's leg is hung up once destination answers.",
        std::move(parameters), "The destination rings", "LinkedId",
        "The call is not a two-party answered call (an unanswered call cannot be redirected), "
        "or is being transferred");
    op["responses"]["404"] = Error(
        "No such call, no party source in it, or a destination "
        "with nothing that can ring");
    paths[redirect + (withSource ? "{destination}/{source}" : "{destination}")]["get"] = op;
    paths[redirect + (withSource ? "{destination}/{source}" : "{destination}")]["post"] = op;
  }
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
          {"enum",
           json::array({"pbx.call.start", "pbx.extension.incomingcall", "pbx.call.early",
                        "pbx.extension.answercall", "pbx.extension.missedcall", "pbx.call.bridged",
                        "pbx.call.unbridged", "pbx.call.hold", "pbx.call.unhold",
                        "pbx.call.transfer-succeeded", "pbx.call.parked", "pbx.call.pickup",
                        "pbx.call.dtmf", "pbx.call.recording.start", "pbx.call.recording.stop",
                        "pbx.call.recording.fail", "pbx.call.end"})}}},
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
          {"Parked",
           {{"type", "object"},
            {"properties",
             {{"linkedid", {{"type", "string"}}},
              {"slot", {{"type", "string"}, {"example", "890"}}}}}}},
          {"DtmfSent",
           {{"type", "object"},
            {"properties",
             {{"linkedid", {{"type", "string"}}},
              {"leg", {{"type", "string"}, {"description", "the leg sent the digits"}}}}}}},
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
  AddCallOperations(paths);
  json schemas = Schemas();
  AddMediaOperations(paths, schemas);
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

  return {{"openapi", "3.0.3"},
          {"info",
           {{"title", "pbxd REST API"},
            {"version", "1"},
            {"description",
             "Call control and call events of a pbxkit PBX. Every endpoint but the salt and this "
             "document needs the X-authenticate header (docs/rest-api.md)."}}},
          {"servers", json::array({json::object({{"url", "/"}})})},
          {"paths", paths},
          {"components",
           {{"schemas", std::move(schemas)},
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
