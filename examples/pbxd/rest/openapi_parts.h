// The building blocks of the OpenAPI document (openapi.h): operations, parameters, replies.
// Private to openapi.cc and openapi_media.cc.
//
//   paths["/rest/x/{linkedid}"]["post"] = CallOperation("Summary", "What it does",
//       json::array({LinkedIdParameter()}), "It happened", "LinkedId", "Why 409");
//
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace pbxd::rest::openapi_internal {

using nlohmann::json;

inline json Ref(const std::string& schema) { return {{"$ref", "#/components/schemas/" + schema}}; }

inline json JsonContent(const json& schema) { return {{"application/json", {{"schema", schema}}}}; }

inline json Reply(const std::string& description, const std::string& schema) {
  return {{"description", description}, {"content", JsonContent(Ref(schema))}};
}

inline json Error(const std::string& description) { return Reply(description, "Error"); }

inline json PathParameter(const std::string& name, const std::string& description) {
  return {{"name", name},
          {"in", "path"},
          {"required", true},
          {"description", description},
          {"schema", {{"type", "string"}, {"maxLength", 256}}}};
}

inline json QueryParameter(const std::string& name, const std::string& description,
                           const std::string& type = "string") {
  return {{"name", name},
          {"in", "query"},
          {"required", false},
          {"description", description},
          {"schema", {{"type", type}}}};
}

// The errors every authenticated endpoint may answer.
inline json AuthErrors() {
  return {{"400", Error("A malformed X-authenticate header, path parameter or body")},
          {"401", Error("No X-authenticate header, wrong credentials, a replayed nonce, or a "
                        "Created more than 5 minutes from the server's clock")},
          {"503", Error("The server remembers too many nonces, or is stopping")}};
}

inline json Operation(const std::string& summary, const std::string& description, json parameters,
                      json responses) {
  json op = {{"summary", summary},
             {"description", description},
             {"security", json::array({json::object({{"XAuthenticate", json::array()}})})},
             {"responses", AuthErrors()}};
  if (!parameters.empty()) op["parameters"] = std::move(parameters);
  for (auto& [code, response] : responses.items()) op["responses"][code] = response;
  return op;
}

inline json LinkedIdParameter(const std::string& name = "linkedid") {
  return PathParameter(name, "The call, as the API writes it: C1F");
}

inline json LegQuery(const std::string& name, const std::string& description) {
  json parameter = QueryParameter(name, description);
  parameter["schema"]["example"] = "callee";
  return parameter;
}

// The answers of an operation on a call that exists (or not) and may not allow it.
inline json CallOperationErrors(const std::string& conflict) {
  return {{"404", Error("No such call (or it has ended), or no such leg")},
          {"409", Error(conflict)},
          {"504", Error("The PBX did not complete the operation within 5 s; it may still "
                        "happen: check with activeCalls or the events")}};
}

inline json CallOperation(const std::string& summary, const std::string& description,
                          json parameters, const std::string& success, const std::string& schema,
                          const std::string& conflict) {
  json responses = CallOperationErrors(conflict);
  responses["200"] = Reply(success, schema);
  return Operation(summary, description, std::move(parameters), std::move(responses));
}

// The media endpoints (openapi_media.cc): adds their paths, and their schemas to `schemas`.
void AddMediaOperations(json& paths, json& schemas);

}  // namespace pbxd::rest::openapi_internal
