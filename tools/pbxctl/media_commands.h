// The media commands of `pbxctl call` (docs/rest-api.md, "Media"): prompts, recordings and
// digit collection on a call of a running pbxd. call_commands.cc lists them with the others.
//
//   pbxctl call play C1 welcome.wav menu.wav [--loop] [--leg callee]
//   pbxctl call play-stop C1 [--leg callee]
//   pbxctl call record C1 [--mode stereo|mixed|rx|tx] [--file NAME.wav] [--leg L]   prints the id
//   pbxctl call record-pause C1 ID | record-resume C1 ID | record-stop C1 ID
//   pbxctl call collect C1 [--max N] [--first-timeout 5s] [--inter-timeout 3s]
//                          [--terminators '#'] [--leg caller] [--json]               prints digits
//
// Thread-safety: single-threaded CLI.
#pragma once

#include <string>
#include <vector>

#include "tools/pbxctl/command_line.h"

namespace pbxctl {

// Their lines of `pbxctl call --help`.
extern const char kMediaCallUsage[];
// Their entries of the `pbxctl call` table; `usage` is the call group's whole usage, for
// errors.
std::vector<CallCommand> MediaCallCommands(const char* usage);
// The options they take beyond the leg options, and their flags.
std::vector<std::string> MediaCallOptions();
std::vector<std::string> MediaCallFlags();

}  // namespace pbxctl
