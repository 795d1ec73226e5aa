// What pbxctl's REST command groups share (call_commands.cc, media_commands.cc): the command
// line split into words and options, the usage error, and the pieces of a `pbxctl call`
// command — its table entry, leg options, fields of pbxd's answers, a POST that prints.
//
//   CommandLine line(args, {"--leg"}, {"--loop"});
//   if (!line.error.empty()) return BadUsage(line.error, kCallUsage);
//   return Post(line, "hold/" + EncodePathSegment(line.words[1]), LegQuery(line, "--leg", "leg"),
//               [](const RestReply& r) { return "held " + LinkedIdOf(r); });
//
// Thread-safety: single-threaded CLI.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tools/pbxctl/rest_client.h"

namespace pbxctl {

// The connection options' usage, printed after each group's.
extern const char kConnectionUsage[];

// Prints "pbxctl: <message>", `usage` and the connection usage on stderr; returns kExitUsage.
int BadUsage(const std::string& message, const char* usage);

// A command line split into its connection options, its other options (name -> value) and
// its words. `flags` take no value; every other --option takes one.
struct CommandLine {
  ConnectionOptions connection = ConnectionOptions::FromEnvironment();
  std::vector<std::string> words;
  std::vector<std::pair<std::string, std::string>> options;
  std::string error;

  CommandLine(const std::vector<std::string>& args, const std::vector<std::string>& known,
              const std::vector<std::string>& flags = {});
  std::optional<std::string> option(const std::string& name) const;
  bool flag(const std::string& name) const { return option(name).has_value(); }
};

// One `pbxctl call` command: its words (with its name: from `words` to `maxWords`, 0 for
// exactly `words`) and the options it takes.
struct CallCommand {
  const char* name;
  size_t words;
  const char* arguments;  // for the usage error
  std::vector<std::string> options;
  std::function<int(const CommandLine&)> run;
  size_t maxWords = 0;
};

// A string of pbxd's JSON, or `fallback` when it is not a non-empty string.
std::string Or(const nlohmann::json& value, const std::string& fallback = "-");
// The string field `name` of the answer, or "-".
std::string FieldOf(const RestReply& reply, const char* name);
std::string LinkedIdOf(const RestReply& reply);

// caller, callee or a leg id (L2A).
bool IsLeg(const std::string& text);
// "?name=<leg>" for the option `option` of the command line, or "" when it is not given.
std::string LegQuery(const CommandLine& line, const std::string& option, const char* name);

// POSTs `body` (JSON, or nothing) to `path` under /rest/phoneServices/ (path segments already
// encoded) with `query` ("?name=value" or empty); on success prints `onSuccess(reply)`.
int Post(const CommandLine& line, const std::string& path, const std::string& query,
         const std::function<std::string(const RestReply&)>& onSuccess,
         const std::string& body = "");

}  // namespace pbxctl
