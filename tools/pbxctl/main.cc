// pbxctl: the pbxkit command line. Dispatches `pbxctl <group> <command> ...` to the command
// groups listed below; each group is defined in its own *_commands.cc file.
#include <cstdio>
#include <string>
#include <vector>

#include "tools/pbxctl/command_group.h"
#include "tools/pbxctl/fax_commands.h"

namespace {

std::vector<pbxctl::CommandGroup> Groups() {
  return {
      pbxctl::FaxCommands(),
  };
}

void Usage(std::FILE* out, const std::vector<pbxctl::CommandGroup>& groups) {
  std::fprintf(out, "usage: pbxctl <group> <command> [options...]\n\ngroups:\n");
  for (const auto& g : groups) std::fprintf(out, "  %-14s %s\n", g.name.c_str(), g.summary.c_str());
  std::fprintf(out, "\n`pbxctl <group> --help` lists a group's commands.\n");
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<pbxctl::CommandGroup> groups = Groups();
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    Usage(stderr, groups);
    return 2;
  }
  if (pbxctl::IsHelp(args[0])) {
    Usage(stdout, groups);
    return 0;
  }
  for (const auto& group : groups) {
    if (group.name != args[0]) continue;
    std::vector<std::string> rest(args.begin() + 1, args.end());
    if (rest.empty() || pbxctl::IsHelp(rest[0])) {
      group.usage(rest.empty() ? stderr : stdout);
      return rest.empty() ? 2 : 0;
    }
    return group.run(rest);
  }
  std::fprintf(stderr, "pbxctl: unknown group '%s'\n\n", args[0].c_str());
  Usage(stderr, groups);
  return 2;
}
