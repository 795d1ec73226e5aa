// The media endpoints in the OpenAPI document (media_services.h).
#include <string>

#include "examples/pbxd/rest/openapi_parts.h"

namespace pbxd::rest::openapi_internal {
namespace {

json BodyOf(const json& properties, const std::string& description) {
  return {{"required", false},
          {"content", JsonContent({{"type", "object"},
                                   {"additionalProperties", false},
                                   {"properties", properties},
                                   {"description", description}})}};
}

json LegOf(const std::string& what) {
  return LegQuery("leg", what +
                             ": caller, callee or a leg's id (L2A); default: the call's "
                             "anchor (its caller)");
}

json RecordingParameter() {
  return PathParameter("recording", "The recording's id, as record answered it: 1");
}

// 501 for an endpoint whose directory pbxd has not been given.
json Off(const std::string& setting) { return Error("pbxd has no " + setting + " in its config"); }

}  // namespace

void AddMediaOperations(json& paths, json& schemas) {
  const std::string prefix = "/rest/phoneServices/";
  const std::string noMedia =
      "The leg is not answered (it has no media yet), or the call has no leg in that role";
  json play = CallOperation(
      "Play prompt files to a leg",
      "The files (WAV, or any format libsndfile reads, at any rate) are named relative to "
      "media.prompts_dir and played in order, looped if asked, in place of what the leg "
      "hears from the other party. Answers once the PBX has the prompt; it plays on after the "
      "answer, until played out, stopped (stopPlaying), replaced by another play, or the leg "
      "ends. A file the media layer cannot decode ends the play silently (pbxd logs it).",
      json::array({LinkedIdParameter(), LegOf("The leg that hears the prompt")}),
      "The prompt plays", "Playing", noMedia);
  play["requestBody"] = BodyOf({{"files",
                                 {{"type", "array"},
                                  {"minItems", 1},
                                  {"maxItems", 16},
                                  {"items", {{"type", "string"}, {"example", "welcome.wav"}}}}},
                                {"loop", {{"type", "boolean"}, {"default", false}}}},
                               "files is required");
  play["requestBody"]["required"] = true;
  play["responses"]["400"] = Error(
      "A malformed body; a file name that is absolute, has a '..' segment, or leads out of "
      "media.prompts_dir through a symbolic link; a file that is not a regular file");
  play["responses"]["404"] = Error("No such call or leg, or no such file in media.prompts_dir");
  play["responses"]["501"] = Off("media.prompts_dir");
  paths[prefix + "play/{linkedid}"]["post"] = play;

  paths[prefix + "stopPlaying/{linkedid}"]["post"] =
      CallOperation("Stop the prompt playing to a leg", "The leg hears the other party again.",
                    json::array({LinkedIdParameter(), LegOf("The leg")}),
                    "Nothing plays to the leg", "LinkedId", noMedia);

  json collect = CallOperation(
      "Collect DTMF digits a leg's phone sends (a long poll)",
      "Digits arrive by RFC 4733, SIP INFO or in-band tones. The answer comes when the "
      "collection ends: max_digits reached, a terminator (not part of the digits), no first "
      "digit within first_digit_timeout_ms or no further one within inter_digit_timeout_ms "
      "(the digits so far), or the leg ended. The request waits that long, plus 5 s; the "
      "timeouts together may not exceed 120 s. A new collection on the same leg ends the "
      "previous one (reason leg_ended). At most 4 wait at once.",
      json::array({LinkedIdParameter(), LegOf("The leg whose digits count")}),
      "The collection ended", "CollectedDigits", noMedia);
  collect["requestBody"] = BodyOf(
      {{"max_digits", {{"type", "integer"}, {"minimum", 1}, {"maximum", 64}, {"default", 1}}},
       {"first_digit_timeout_ms",
        {{"type", "integer"}, {"minimum", 100}, {"maximum", 60000}, {"default", 5000}}},
       {"inter_digit_timeout_ms",
        {{"type", "integer"}, {"minimum", 100}, {"maximum", 30000}, {"default", 3000}}},
       {"terminators", {{"type", "string"}, {"maxLength", 16}, {"default", "#"}}}},
      "Every field is optional");
  collect["responses"]["503"] =
      Error("4 collections wait already, or pbxd is stopping (also: the server's own refusals)");
  collect["responses"]["504"] =
      Error("The PBX did not end the collection within 5 s of its last timeout");
  paths[prefix + "collectDigits/{linkedid}"]["post"] = collect;

  json record = CallOperation(
      "Record a call (or what one leg says or hears) to a WAV file",
      "The file is named relative to media.recordings_dir (its directory must exist there; a "
      "file already there is replaced); without a name pbxd makes one: "
      "<linkedid>-<UTC time>-<n>.wav. stereo: left what the leg's phone said, right what it "
      "heard; mixed: both in one channel; rx: what it said; tx: what it heard. "
      "pbx.call.recording.start follows on /rest/events, and pbx.call.recording.stop (or "
      ".fail: an unwritable file, a full disk) once the file is closed.",
      json::array({LinkedIdParameter(), LegOf("The recorded leg")}), "The recording runs",
      "Recording", noMedia);
  record["requestBody"] = BodyOf({{"file", {{"type", "string"}, {"example", "support/C1F.wav"}}},
                                  {"mode",
                                   {{"type", "string"},
                                    {"enum", json::array({"stereo", "mixed", "rx", "tx"})},
                                    {"default", "stereo"}}}},
                                 "Every field is optional");
  record["responses"]["400"] = Error(
      "A malformed body or mode; a file name that is absolute, has a '..' segment, does not "
      "end in .wav, is a symbolic link, or leads out of media.recordings_dir");
  record["responses"]["404"] =
      Error("No such call or leg, or no such directory in media.recordings_dir");
  record["responses"]["501"] = Off("media.recordings_dir");
  paths[prefix + "record/{linkedid}"]["post"] = record;

  const std::pair<const char*, const char*> changes[] = {
      {"pauseRecording", "Pause a recording: nothing is written until it resumes"},
      {"resumeRecording", "Resume a paused recording"},
      {"stopRecording", "Stop a recording and close its file"}};
  for (const auto& [name, summary] : changes) {
    json op =
        CallOperation(summary, "pbx.call.recording.stop follows a stop once the file is closed.",
                      json::array({LinkedIdParameter(), RecordingParameter()}), "Done",
                      "RecordingId", "The call has no media");
    op["responses"]["404"] = Error("No such call, or no such recording of it (or it ended)");
    paths[prefix + name + "/{linkedid}/{recording}"]["post"] = op;
  }

  schemas["Playing"] = {{"type", "object"},
                        {"properties",
                         {{"linkedid", {{"type", "string"}}},
                          {"files", {{"type", "array"}, {"items", {{"type", "string"}}}}},
                          {"loop", {{"type", "boolean"}}}}}};
  schemas["CollectedDigits"] = {
      {"type", "object"},
      {"properties",
       {{"linkedid", {{"type", "string"}}},
        {"digits", {{"type", "string"}, {"example", "1234"}}},
        {"reason",
         {{"type", "string"},
          {"enum", json::array({"max_digits", "terminator", "timeout", "leg_ended"})}}},
        {"terminator", {{"type", "string"}, {"nullable", true}}}}}};
  schemas["Recording"] = {
      {"type", "object"},
      {"properties",
       {{"linkedid", {{"type", "string"}}},
        {"recording", {{"type", "integer"}, {"description", "the id for pause, resume, stop"}}},
        {"file", {{"type", "string"}, {"description", "relative to media.recordings_dir"}}},
        {"mode", {{"type", "string"}}}}}};
  schemas["RecordingId"] = {
      {"type", "object"},
      {"properties", {{"linkedid", {{"type", "string"}}}, {"recording", {{"type", "integer"}}}}}};
}

}  // namespace pbxd::rest::openapi_internal
