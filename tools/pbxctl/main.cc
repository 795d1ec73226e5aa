// pbxctl: the pbxkit command line. Dispatches `pbxctl <group> <command> ...` to the command
// groups listed below; each group is defined in its own *_commands.cc file.
#include <cstdio>
#include <string>
#include <vector>

#include "tools/pbxctl/call_commands.h"
#include "tools/pbxctl/command_group.h"
#include "tools/pbxctl/exit_codes.h"
#include "tools/pbxctl/fax_commands.h"

namespace {

std::vector<pbxctl::CommandGroup> Groups() {
  return {
      pbxctl::CallsCommands(),
      pbxctl::CallCommands(),
      pbxctl::EventsCommands(),
      pbxctl::FaxCommands(),
  };
}

void Usage(std::FILE* out, const std::vector<pbxctl::CommandGroup>& groups) {
  std::fprintf(out, "usage: pbxctl <group> <command> [options...]\n\ngroups:\n");
  for (const auto& g : groups) std::fprintf(out, "  %-14s %s\n", g.name.c_str(), g.summary.c_str());
  std::fprintf(out,
               "\n`pbxctl <group> --help` lists a group's commands.\n"
               "\n"
               "calls, call and events talk to a running pbxd over its REST API\n"
               "(docs/rest-api.md): --url (default http://127.0.0.1:8080), --user (default\n"
               "admin), --password and --domain (default default), or the environment's\n"
               "PBXCTL_URL, PBXCTL_USER, PBXCTL_PASSWORD and PBXCTL_DOMAIN.\n"
               "\n"
               "exit codes:\n"
               "  0  ok\n"
               "  1  usage error\n"
               "  2  connection failure (pbxd not reachable, or gone)\n"
               "  3  authentication failure\n"
               "  4  not found (no such call, extension or domain; an event no longer kept)\n"
               "  5  other error (of the API, or of a fax command)\n"
               "messages go to stderr.\n");
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<pbxctl::CommandGroup> groups = Groups();
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    Usage(stderr, groups);
    return pbxctl::kExitUsage;
  }
  if (pbxctl::IsHelp(args[0])) {
    Usage(stdout, groups);
    return 0;
  }
  for (const auto& group : groups) {
    if (group.name != args[0]) continue;
    std::vector<std::string> rest(args.begin() + 1, args.end());
    if (!rest.empty() && pbxctl::IsHelp(rest[0])) {
      group.usage(stdout);
      return pbxctl::kExitOk;
    }
    if (rest.empty() && group.needsCommand) {
      group.usage(stderr);
      return pbxctl::kExitUsage;
    }
    return group.run(rest);
  }
  std::fprintf(stderr, "pbxctl: unknown group '%s'\n\n", args[0].c_str());
  Usage(stderr, groups);
  return pbxctl::kExitUsage;
}
