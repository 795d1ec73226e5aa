// `pbxctl calls`, `pbxctl call ...` and `pbxctl events`: the calls of a running pbxd, over
// its REST API (rest_client.h).
//
//   pbxctl calls [--extension 100] [--json]      a table of the active calls
//   pbxctl call originate 100 101 [--uuid U]     click-to-call; prints the new linkedid
//   pbxctl call hangup C1F
//   pbxctl call play|record|collect ...        media_commands.h
//   pbxctl events [--since 42] [--types pbx.call.start,pbx.call.end] [--count N]
//
// Thread-safety: single-threaded CLI.
#pragma once

#include "tools/pbxctl/command_group.h"

namespace pbxctl {

CommandGroup CallsCommands();   // `pbxctl calls`
CommandGroup CallCommands();    // `pbxctl call originate|hangup|...|play|record|collect`
CommandGroup EventsCommands();  // `pbxctl events`

}  // namespace pbxctl
