#include "tools/pbxctl/call_commands.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tools/pbxctl/exit_codes.h"
#include "tools/pbxctl/rest_client.h"

namespace pbxctl {
namespace {

using nlohmann::json;

constexpr char kConnectionUsage[] =
    "connection (options anywhere after the group; else the environment):\n"
    "  --url URL          pbxd's REST API (PBXCTL_URL; default http://127.0.0.1:8080)\n"
    "  --user NAME        (PBXCTL_USER; default admin)\n"
    "  --password SECRET  (PBXCTL_PASSWORD; no default)\n"
    "  --domain DOMAIN    (PBXCTL_DOMAIN; default default)\n";

constexpr char kCallsUsage[] =
    "usage: pbxctl calls [--extension NUMBER] [--json]\n"
    "  a table of the calls in progress: linkedid, state, caller, callee, start, legs,\n"
    "  call_uuid; --extension: only those of one extension; --json: the API's JSON\n";

constexpr char kCallUsage[] =
    "usage: pbxctl call <command> ...\n"
    "  originate FROM TO [--uuid U]   click-to-call: FROM rings first, then TO; prints the\n"
    "                                 new call's linkedid\n"
    "  hangup LINKEDID                ends the call\n";

constexpr char kEventsUsage[] =
    "usage: pbxctl events [--since SEQ] [--types NAME,...] [--count N]\n"
    "  follows the call events, one line each:\n"
    "    <seq> <event> <linkedid> <caller> -> <party> [cause]\n"
    "  --since SEQ   start after event SEQ (from pbxd's history)\n"
    "  --types ...   only these events (pbx.call.start,pbx.call.end, ...)\n"
    "  --count N     stop after N events (default: follow until interrupted)\n";

int BadUsage(const std::string& message, const char* usage) {
  std::fprintf(stderr, "pbxctl: %s\n\n%s\n%s", message.c_str(), usage, kConnectionUsage);
  return kExitUsage;
}

// A command line split into its connection options, its other options (name -> value) and
// its words. `flags` take no value; every other --option takes one.
struct CommandLine {
  ConnectionOptions connection = ConnectionOptions::FromEnvironment();
  std::vector<std::string> words;
  std::vector<std::pair<std::string, std::string>> options;
  std::string error;

  CommandLine(const std::vector<std::string>& args, const std::vector<std::string>& known,
              const std::vector<std::string>& flags = {}) {
    for (size_t i = 0; i < args.size() && error.empty(); ++i) {
      const std::string& a = args[i];
      if (connection.take(args, &i, &error)) continue;
      if (a.size() > 1 && a[0] == '-') {
        if (std::find(flags.begin(), flags.end(), a) != flags.end()) {
          options.emplace_back(a, "");
        } else if (std::find(known.begin(), known.end(), a) == known.end()) {
          error = "unknown option '" + a + "'";
        } else if (i + 1 >= args.size()) {
          error = a + " needs a value";
        } else {
          options.emplace_back(a, args[++i]);
        }
      } else {
        words.push_back(a);
      }
    }
  }
  std::optional<std::string> option(const std::string& name) const {
    for (const auto& [n, v] : options)
      if (n == name) return v;
    return std::nullopt;
  }
};

std::string Or(const json& value, const std::string& fallback = "-") {
  return value.is_string() && !value.get<std::string>().empty() ? value.get<std::string>()
                                                                : fallback;
}

int Calls(const std::vector<std::string>& args) {
  CommandLine line(args, {"--extension"}, {"--json"});
  if (!line.error.empty()) return BadUsage(line.error, kCallsUsage);
  if (!line.words.empty()) return BadUsage("calls takes no arguments", kCallsUsage);
  std::string path = "/rest/phoneServices/activeCalls";
  if (auto extension = line.option("--extension"))
    path += "?extension=" + EncodeQueryValue(*extension);
  RestClient client(line.connection);
  RestReply reply = client.call("GET", path);
  if (!reply.ok()) return reply.fail();
  const json& calls = reply.body["calls"];
  if (!calls.is_array()) {
    std::fprintf(stderr, "pbxctl: pbxd's answer has no calls\n");
    return kExitError;
  }
  if (line.option("--json")) {
    std::printf("%s\n", reply.body.dump(2).c_str());
    return kExitOk;
  }
  std::printf("%-10s %-9s %-16s %-16s %-24s %4s  %s\n", "LINKEDID", "STATE", "CALLER", "CALLEE",
              "CREATED", "LEGS", "CALL_UUID");
  for (const json& call : calls) {
    std::printf("%-10s %-9s %-16s %-16s %-24s %4zu  %s\n", Or(call["linkedid"]).c_str(),
                Or(call["state"]).c_str(), Or(call["caller"]["number"]).c_str(),
                Or(call["callee"]["number"]).c_str(), Or(call["created"]).c_str(),
                call["legs"].is_array() ? call["legs"].size() : size_t{0},
                Or(call["call_uuid"], "").c_str());
  }
  return kExitOk;
}

int Originate(const CommandLine& line) {
  if (line.words.size() != 3) return BadUsage("originate takes FROM and TO", kCallUsage);
  json body = json::object();
  if (auto uuid = line.option("--uuid")) body["call_uuid"] = *uuid;
  RestClient client(line.connection);
  RestReply reply = client.call("POST",
                                "/rest/phoneServices/c2c/" + EncodePathSegment(line.words[2]) +
                                    "/" + EncodePathSegment(line.words[1]),
                                body.dump());
  if (!reply.ok()) return reply.fail();
  std::printf("%s\n", Or(reply.body["linkedid"]).c_str());
  return kExitOk;
}

int Hangup(const CommandLine& line) {
  if (line.words.size() != 2) return BadUsage("hangup takes one LINKEDID", kCallUsage);
  RestClient client(line.connection);
  RestReply reply =
      client.call("POST", "/rest/phoneServices/hangup/" + EncodePathSegment(line.words[1]));
  if (!reply.ok()) return reply.fail();
  std::printf("hung up %s\n", Or(reply.body["linkedid"]).c_str());
  return kExitOk;
}

int Call(const std::vector<std::string>& args) {
  CommandLine line(args, {"--uuid"});
  if (!line.error.empty()) return BadUsage(line.error, kCallUsage);
  if (line.words.empty()) return BadUsage("which command?", kCallUsage);
  if (line.words[0] == "originate") return Originate(line);
  if (line.words[0] == "hangup") {
    if (line.option("--uuid")) return BadUsage("--uuid is for originate", kCallUsage);
    return Hangup(line);
  }
  return BadUsage("unknown command '" + line.words[0] + "'", kCallUsage);
}

// "<seq> <event> <linkedid> <caller> -> <party> [cause]"
std::string EventLine(const RestClient::StreamEvent& event) {
  const json& data = event.data;
  std::string out = absl::StrCat(event.id, " ", event.name, " ", Or(data["linkedid"]), " ",
                                 Or(data["caller"]["number"]), " -> ", Or(data["party"]["number"]));
  if (data["end"].is_object()) absl::StrAppend(&out, " ", Or(data["end"]["cause"]));
  return out;
}

int Events(const std::vector<std::string>& args) {
  CommandLine line(args, {"--since", "--types", "--count"});
  if (!line.error.empty()) return BadUsage(line.error, kEventsUsage);
  if (!line.words.empty()) return BadUsage("events takes no arguments", kEventsUsage);
  std::string query;
  std::optional<uint64_t> since;
  if (auto value = line.option("--since")) {
    uint64_t n = 0;
    if (!absl::SimpleAtoi(*value, &n))
      return BadUsage("--since needs a sequence number", kEventsUsage);
    since = n;
    query += "&since=" + std::to_string(n);
  }
  if (auto types = line.option("--types")) query += "&types=" + EncodeQueryValue(*types);
  uint64_t count = 0;  // 0: no end
  if (auto value = line.option("--count")) {
    if (!absl::SimpleAtoi(*value, &count) || count == 0)
      return BadUsage("--count needs a positive number", kEventsUsage);
  }
  std::string path = "/rest/events";
  if (!query.empty()) path += "?" + query.substr(1);
  RestClient client(line.connection);
  uint64_t printed = 0;
  // Reconnections resume after the last event (Last-Event-ID), so `since` is for the first.
  RestReply reply = client.stream(path, std::nullopt, [&](const RestClient::StreamEvent& event) {
    std::printf("%s\n", EventLine(event).c_str());
    std::fflush(stdout);
    return count == 0 || ++printed < count;
  });
  return reply.ok() ? kExitOk : reply.fail();
}

}  // namespace

CommandGroup CallsCommands() {
  CommandGroup group;
  group.name = "calls";
  group.summary = "the calls in progress on a running pbxd (REST API)";
  group.needsCommand = false;
  group.usage = [](std::FILE* out) { std::fprintf(out, "%s\n%s", kCallsUsage, kConnectionUsage); };
  group.run = &Calls;
  return group;
}

CommandGroup CallCommands() {
  CommandGroup group;
  group.name = "call";
  group.summary = "click-to-call and hang up calls on a running pbxd (REST API)";
  group.usage = [](std::FILE* out) { std::fprintf(out, "%s\n%s", kCallUsage, kConnectionUsage); };
  group.run = &Call;
  return group;
}

CommandGroup EventsCommands() {
  CommandGroup group;
  group.name = "events";
  group.summary = "follow the call events of a running pbxd (REST API)";
  group.needsCommand = false;
  group.usage = [](std::FILE* out) { std::fprintf(out, "%s\n%s", kEventsUsage, kConnectionUsage); };
  group.run = &Events;
  return group;
}

}  // namespace pbxctl
