#include "tools/pbxctl/call_commands.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tools/pbxctl/command_line.h"
#include "tools/pbxctl/exit_codes.h"
#include "tools/pbxctl/media_commands.h"
#include "tools/pbxctl/rest_client.h"

namespace pbxctl {
namespace {

using nlohmann::json;

constexpr char kCallsUsage[] =
    "usage: pbxctl calls [--extension NUMBER] [--json]\n"
    "  a table of the calls in progress: linkedid, state, caller, callee, start, legs,\n"
    "  call_uuid; --extension: only those of one extension; --json: the API's JSON\n";

constexpr char kCallUsage[] =
    "usage: pbxctl call <command> ...\n"
    "  originate FROM TO [--uuid U]   click-to-call: FROM rings first, then TO; prints the\n"
    "                                 new call's linkedid\n"
    "  hangup LINKEDID                ends the call\n"
    "  transfer LINKEDID TO [--stays caller|callee]\n"
    "                                 blind transfer: TO rings for the leg that stays (default\n"
    "                                 the caller); whoever answers replaces the other leg\n"
    "  attended LINKEDID1 LINKEDID2   attended transfer: the party both calls share leaves,\n"
    "                                 the other two are connected (in LINKEDID1)\n"
    "  hold LINKEDID [--leg caller|callee]\n"
    "                                 puts the call (default: every leg) on hold\n"
    "  unhold LINKEDID [--leg caller|callee]\n"
    "                                 resumes it\n"
    "  dtmf LINKEDID DIGITS [--to caller|callee]\n"
    "                                 sends DIGITS (0-9 * # A-D) as SIP INFO to the callee's\n"
    "                                 phone (default) or the caller's\n"
    "  park LINKEDID [--stays caller|callee]\n"
    "                                 parks the leg that stays (default the caller), hangs\n"
    "                                 the other up; prints the slot\n"
    "  unpark SLOT TO                 rings TO for the call parked in SLOT; prints its linkedid\n"
    "  pickup EXTEN TO                rings TO too for the call ringing at EXTEN; whoever\n"
    "                                 answers first takes it; prints its linkedid\n"
    "  a leg is caller, callee or its id as `calls --json` lists it (L2A)\n"
    "media (files are named in pbxd's media directories, docs/pbxd.md):\n";

constexpr char kEventsUsage[] =
    "usage: pbxctl events [--since SEQ] [--types NAME,...] [--count N]\n"
    "  follows the call events, one line each:\n"
    "    <seq> <event> <linkedid> <caller> -> <party> [cause]\n"
    "  --since SEQ   start after event SEQ (from pbxd's history)\n"
    "  --types ...   only these events (pbx.call.start,pbx.call.end, ...)\n"
    "  --count N     stop after N events (default: follow until interrupted)\n";

// The call group's usage: its call-control commands, then its media commands.
const char* CallUsage() {
  static const std::string usage = std::string(kCallUsage) + kMediaCallUsage;
  return usage.c_str();
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

bool IsDtmf(const std::string& digits) {
  return !digits.empty() && digits.size() <= 64 &&
         std::all_of(digits.begin(), digits.end(), [](char c) {
           return absl::ascii_isdigit(static_cast<unsigned char>(c)) ||
                  (c != '\0' && std::strchr("*#ABCDabcd", c) != nullptr);
         });
}

int Originate(const CommandLine& line) {
  json body = json::object();
  if (auto uuid = line.option("--uuid")) body["call_uuid"] = *uuid;
  return Post(line,
              "c2c/" + EncodePathSegment(line.words[2]) + "/" + EncodePathSegment(line.words[1]),
              "", LinkedIdOf, body.dump());
}

int Hangup(const CommandLine& line) {
  return Post(line, "hangup/" + EncodePathSegment(line.words[1]), "",
              [](const RestReply& r) { return "hung up " + LinkedIdOf(r); });
}

int Transfer(const CommandLine& line) {
  const std::string& to = line.words[2];
  return Post(line,
              "blindTransfer/" + EncodePathSegment(line.words[1]) + "/" + EncodePathSegment(to),
              LegQuery(line, "--stays", "stays"),
              [&](const RestReply& r) { return "transferring " + LinkedIdOf(r) + " to " + to; });
}

int Attended(const CommandLine& line) {
  const std::string& second = line.words[2];
  return Post(
      line,
      "attendedTransfer/" + EncodePathSegment(line.words[1]) + "/" + EncodePathSegment(second), "",
      [&](const RestReply& r) {
        return "connected the other parties of " + LinkedIdOf(r) + " and " + second;
      });
}

int Hold(const CommandLine& line, bool hold) {
  return Post(line, std::string(hold ? "hold/" : "unhold/") + EncodePathSegment(line.words[1]),
              LegQuery(line, "--leg", "leg"), [&](const RestReply& r) {
                std::string leg = line.option("--leg").value_or("");
                return absl::StrCat(hold ? "held " : "resumed ", LinkedIdOf(r),
                                    leg.empty() ? "" : " (" + leg + ")");
              });
}

int Dtmf(const CommandLine& line) {
  const std::string& digits = line.words[2];
  if (!IsDtmf(digits)) return BadUsage("DIGITS: 1 to 64 of 0-9 * # A-D", CallUsage());
  return Post(line, "dtmf/" + EncodePathSegment(line.words[1]) + "/" + EncodePathSegment(digits),
              LegQuery(line, "--to", "to"), [&](const RestReply& r) {
                return absl::StrCat("sent ", digits, " to ", LinkedIdOf(r), " ",
                                    line.option("--to").value_or("callee"), " (", FieldOf(r, "leg"),
                                    ")");
              });
}

int Park(const CommandLine& line) {
  return Post(line, "park/" + EncodePathSegment(line.words[1]), LegQuery(line, "--stays", "stays"),
              [](const RestReply& r) { return FieldOf(r, "slot"); });
}

int Unpark(const CommandLine& line) {
  return Post(line,
              "unpark/" + EncodePathSegment(line.words[1]) + "/" + EncodePathSegment(line.words[2]),
              "", LinkedIdOf);
}

int Pickup(const CommandLine& line) {
  return Post(line,
              "pickup/" + EncodePathSegment(line.words[1]) + "/" + EncodePathSegment(line.words[2]),
              "", LinkedIdOf);
}

const std::vector<CallCommand>& CallCommandTable() {
  static const std::vector<CallCommand> commands = {
      {"originate", 3, "FROM and TO", {"--uuid"}, &Originate},
      {"hangup", 2, "one LINKEDID", {}, &Hangup},
      {"transfer", 3, "LINKEDID and TO", {"--stays"}, &Transfer},
      {"attended", 3, "LINKEDID1 and LINKEDID2", {}, &Attended},
      {"hold", 2, "one LINKEDID", {"--leg"}, [](const CommandLine& l) { return Hold(l, true); }},
      {"unhold", 2, "one LINKEDID", {"--leg"}, [](const CommandLine& l) { return Hold(l, false); }},
      {"dtmf", 3, "LINKEDID and DIGITS", {"--to"}, &Dtmf},
      {"park", 2, "one LINKEDID", {"--stays"}, &Park},
      {"unpark", 3, "SLOT and TO", {}, &Unpark},
      {"pickup", 3, "EXTEN and TO", {}, &Pickup},
  };
  return commands;
}

int Call(const std::vector<std::string>& args) {
  const char* usage = CallUsage();
  std::vector<std::string> known = {"--uuid", "--stays", "--leg", "--to"};
  for (const std::string& option : MediaCallOptions()) known.push_back(option);
  CommandLine line(args, known, MediaCallFlags());
  if (!line.error.empty()) return BadUsage(line.error, usage);
  if (line.words.empty()) return BadUsage("which command?", usage);
  const std::string& name = line.words[0];
  std::vector<CallCommand> commands = CallCommandTable();
  for (CallCommand& media : MediaCallCommands(usage)) commands.push_back(std::move(media));
  for (const CallCommand& command : commands) {
    if (name != command.name) continue;
    for (const auto& [option, value] : line.options) {
      if (std::find(command.options.begin(), command.options.end(), option) ==
          command.options.end())
        return BadUsage(absl::StrCat(name, " does not take ", option), usage);
      const bool legOption = option == "--stays" || option == "--leg" || option == "--to";
      if (legOption && !IsLeg(value))
        return BadUsage(absl::StrCat(option, " must be caller, callee or a leg's id (L2A)"), usage);
    }
    const size_t maxWords = command.maxWords ? command.maxWords : command.words;
    if (line.words.size() < command.words || line.words.size() > maxWords)
      return BadUsage(absl::StrCat(name, " takes ", command.arguments), usage);
    return command.run(line);
  }
  return BadUsage("unknown command '" + name + "'", usage);
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
  group.summary =
      "control calls on a running pbxd: originate, hangup, transfer, hold, dtmf, park, play, "
      "record, collect";
  group.usage = [](std::FILE* out) { std::fprintf(out, "%s\n%s", CallUsage(), kConnectionUsage); };
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
