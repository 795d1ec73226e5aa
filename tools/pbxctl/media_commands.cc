#include "tools/pbxctl/media_commands.h"

#include <cstdio>
#include <optional>
#include <tuple>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/pbxctl/exit_codes.h"

namespace pbxctl {
namespace {

using nlohmann::json;

// pbxd waits this much longer than the collection can last (its operation timeout), and we
// wait a little longer still, so that its answer arrives rather than our timeout.
constexpr uint64_t kCollectMarginSeconds = 15;

// "5s", "500ms" or a number of seconds, in milliseconds.
std::optional<uint64_t> Milliseconds(const std::string& text) {
  uint64_t value = 0;
  if (absl::EndsWith(text, "ms")) {
    if (!absl::SimpleAtoi(text.substr(0, text.size() - 2), &value)) return std::nullopt;
    return value;
  }
  std::string number = absl::EndsWith(text, "s") ? text.substr(0, text.size() - 1) : text;
  if (!absl::SimpleAtoi(number, &value) || value > 1000000) return std::nullopt;
  return value * 1000;
}

std::string LegSuffix(const CommandLine& line) {
  auto leg = line.option("--leg");
  return leg ? " (" + *leg + ")" : "";
}

int Play(const CommandLine& line) {
  std::vector<std::string> files(line.words.begin() + 2, line.words.end());
  json body = {{"files", files}, {"loop", line.flag("--loop")}};
  return Post(
      line, "play/" + EncodePathSegment(line.words[1]), LegQuery(line, "--leg", "leg"),
      [&](const RestReply& r) {
        return absl::StrCat("playing ", absl::StrJoin(files, " "), " to ", LinkedIdOf(r),
                            LegSuffix(line), line.flag("--loop") ? ", looped" : "");
      },
      body.dump());
}

int PlayStop(const CommandLine& line) {
  return Post(
      line, "stopPlaying/" + EncodePathSegment(line.words[1]), LegQuery(line, "--leg", "leg"),
      [&](const RestReply& r) { return "stopped playing to " + LinkedIdOf(r) + LegSuffix(line); });
}

int Record(const CommandLine& line, const char* usage) {
  json body = json::object();
  if (auto mode = line.option("--mode")) {
    if (*mode != "stereo" && *mode != "mixed" && *mode != "rx" && *mode != "tx")
      return BadUsage("--mode must be stereo, mixed, rx or tx", usage);
    body["mode"] = *mode;
  }
  if (auto file = line.option("--file")) body["file"] = *file;
  return Post(
      line, "record/" + EncodePathSegment(line.words[1]), LegQuery(line, "--leg", "leg"),
      [](const RestReply& r) {
        const json& id = r.body.is_object() ? r.body.value("recording", json()) : json();
        return id.is_number_unsigned() ? std::to_string(id.get<uint64_t>()) : std::string("-");
      },
      body.dump());
}

// record-pause, record-resume, record-stop: {path}/{linkedid}/{id}.
int ChangeRecording(const CommandLine& line, const char* path, const char* done,
                    const char* usage) {
  const std::string& id = line.words[2];
  uint64_t number = 0;
  if (!absl::SimpleAtoi(id, &number) || number == 0)
    return BadUsage("ID: the number `pbxctl call record` printed", usage);
  return Post(line,
              absl::StrCat(path, "/", EncodePathSegment(line.words[1]), "/", EncodePathSegment(id)),
              "", [&](const RestReply& r) {
                return absl::StrCat(done, " recording ", id, " of ", LinkedIdOf(r));
              });
}

int Collect(const CommandLine& line, const char* usage) {
  json body = json::object();
  uint64_t maxDigits = 1, first = 5000, inter = 3000;
  if (auto max = line.option("--max")) {
    if (!absl::SimpleAtoi(*max, &maxDigits) || maxDigits == 0 || maxDigits > 64)
      return BadUsage("--max must be a number from 1 to 64", usage);
    body["max_digits"] = maxDigits;
  }
  for (auto [option, field, value] :
       {std::tuple{"--first-timeout", "first_digit_timeout_ms", &first},
        std::tuple{"--inter-timeout", "inter_digit_timeout_ms", &inter}}) {
    auto text = line.option(option);
    if (!text) continue;
    auto ms = Milliseconds(*text);
    if (!ms) return BadUsage(absl::StrCat(option, " must be a duration like 5s or 500ms"), usage);
    *value = *ms;
    body[field] = *ms;
  }
  if (auto terminators = line.option("--terminators")) body["terminators"] = *terminators;
  RestClient client(line.connection);
  client.setReadTimeout(
      static_cast<time_t>((first + (maxDigits - 1) * inter) / 1000 + kCollectMarginSeconds));
  RestReply reply =
      client.call("POST",
                  "/rest/phoneServices/collectDigits/" + EncodePathSegment(line.words[1]) +
                      LegQuery(line, "--leg", "leg"),
                  body.dump());
  if (!reply.ok()) return reply.fail();
  if (line.flag("--json")) {
    std::printf("%s\n", reply.body.dump().c_str());
  } else {
    std::printf("%s\n", Or(reply.body.value("digits", json()), "").c_str());
  }
  return kExitOk;
}

}  // namespace

const char kMediaCallUsage[] =
    "  play LINKEDID FILE... [--loop] [--leg caller|callee]\n"
    "                                 plays sound files (named in pbxd's media.prompts_dir)\n"
    "                                 to the leg (default: the call's caller), in order\n"
    "  play-stop LINKEDID [--leg caller|callee]\n"
    "                                 stops what plays to the leg\n"
    "  record LINKEDID [--mode stereo|mixed|rx|tx] [--file NAME.wav] [--leg caller|callee]\n"
    "                                 records the call (stereo: left what the leg said, right\n"
    "                                 what it heard) into pbxd's media.recordings_dir; prints\n"
    "                                 the recording's id\n"
    "  record-pause LINKEDID ID, record-resume LINKEDID ID\n"
    "  record-stop LINKEDID ID        stops the recording; pbxd closes its file\n"
    "  collect LINKEDID [--max N] [--first-timeout 5s] [--inter-timeout 3s]\n"
    "          [--terminators '#'] [--leg caller|callee] [--json]\n"
    "                                 waits for up to N (default 1) DTMF digits from the leg's\n"
    "                                 phone and prints them (an empty line when none came);\n"
    "                                 --json: pbxd's answer, with why the collection ended\n";

std::vector<CallCommand> MediaCallCommands(const char* usage) {
  return {
      {"play", 3, "LINKEDID and one or more FILEs", {"--leg", "--loop"}, &Play, 18},
      {"play-stop", 2, "one LINKEDID", {"--leg"}, &PlayStop},
      {"record",
       2,
       "one LINKEDID",
       {"--leg", "--mode", "--file"},
       [usage](const CommandLine& l) { return Record(l, usage); }},
      {"record-pause",
       3,
       "LINKEDID and ID",
       {},
       [usage](const CommandLine& l) {
         return ChangeRecording(l, "pauseRecording", "paused", usage);
       }},
      {"record-resume",
       3,
       "LINKEDID and ID",
       {},
       [usage](const CommandLine& l) {
         return ChangeRecording(l, "resumeRecording", "resumed", usage);
       }},
      {"record-stop",
       3,
       "LINKEDID and ID",
       {},
       [usage](const CommandLine& l) {
         return ChangeRecording(l, "stopRecording", "stopped", usage);
       }},
      {"collect",
       2,
       "one LINKEDID",
       {"--leg", "--max", "--first-timeout", "--inter-timeout", "--terminators", "--json"},
       [usage](const CommandLine& l) { return Collect(l, usage); }},
  };
}

std::vector<std::string> MediaCallOptions() {
  return {"--mode", "--file", "--max", "--first-timeout", "--inter-timeout", "--terminators"};
}

std::vector<std::string> MediaCallFlags() { return {"--loop", "--json"}; }

}  // namespace pbxctl
