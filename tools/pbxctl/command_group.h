// pbxctl's command groups: `pbxctl <group> <command> [args...]`. Each group (fax, calls,
// call, events, and later registrations, ...) lives in its own file and is listed once in
// main.cc. A group returns pbxctl's exit codes (exit_codes.h).
//
//   CommandGroup FaxCommands();   // fax_commands.cc
//
// Thread-safety: single-threaded CLI.
#pragma once

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace pbxctl {

struct CommandGroup {
  std::string name;     // first word on the command line
  std::string summary;  // one line for `pbxctl --help`
  // Whether the group needs words after its name (`pbxctl fax` alone prints its usage, while
  // `pbxctl calls` alone runs).
  bool needsCommand = true;
  // Runs the group with the words after its name; returns the process exit code.
  std::function<int(const std::vector<std::string>& args)> run;
  // Prints the group's usage (its commands and options).
  std::function<void(std::FILE* out)> usage;
};

// True for "-h", "--help" and "help".
inline bool IsHelp(const std::string& arg) {
  return arg == "-h" || arg == "--help" || arg == "help";
}

}  // namespace pbxctl
