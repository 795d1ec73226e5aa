#include "tools/pbxctl/command_line.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "tools/pbxctl/exit_codes.h"

namespace pbxctl {

const char kConnectionUsage[] =
    "connection (options anywhere after the group; else the environment):\n"
    "  --url URL          pbxd's REST API (PBXCTL_URL; default http://127.0.0.1:8080)\n"
    "  --user NAME        (PBXCTL_USER; default admin)\n"
    "  --password SECRET  (PBXCTL_PASSWORD; no default)\n"
    "  --domain DOMAIN    (PBXCTL_DOMAIN; default default)\n";

int BadUsage(const std::string& message, const char* usage) {
  std::fprintf(stderr, "pbxctl: %s\n\n%s\n%s", message.c_str(), usage, kConnectionUsage);
  return kExitUsage;
}

CommandLine::CommandLine(const std::vector<std::string>& args,
                         const std::vector<std::string>& known,
                         const std::vector<std::string>& flags) {
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

std::optional<std::string> CommandLine::option(const std::string& name) const {
  for (const auto& [n, v] : options)
    if (n == name) return v;
  return std::nullopt;
}

std::string Or(const nlohmann::json& value, const std::string& fallback) {
  return value.is_string() && !value.get<std::string>().empty() ? value.get<std::string>()
                                                                : fallback;
}

std::string FieldOf(const RestReply& reply, const char* name) {
  if (!reply.body.is_object()) return "-";
  auto it = reply.body.find(name);
  return it == reply.body.end() ? "-" : Or(*it);
}

std::string LinkedIdOf(const RestReply& reply) { return FieldOf(reply, "linkedid"); }

bool IsLeg(const std::string& text) {
  if (text == "caller" || text == "callee") return true;
  return text.size() >= 2 && text.size() <= 17 && text[0] == 'L' &&
         std::all_of(text.begin() + 1, text.end(),
                     [](char c) { return absl::ascii_isxdigit(static_cast<unsigned char>(c)); });
}

std::string LegQuery(const CommandLine& line, const std::string& option, const char* name) {
  auto value = line.option(option);
  return value ? absl::StrCat("?", name, "=", EncodeQueryValue(*value)) : "";
}

int Post(const CommandLine& line, const std::string& path, const std::string& query,
         const std::function<std::string(const RestReply&)>& onSuccess, const std::string& body) {
  RestClient client(line.connection);
  RestReply reply = client.call("POST", "/rest/phoneServices/" + path + query, body);
  if (!reply.ok()) return reply.fail();
  std::printf("%s\n", onSuccess(reply).c_str());
  return kExitOk;
}

}  // namespace pbxctl
