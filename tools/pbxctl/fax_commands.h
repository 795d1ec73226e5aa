// `pbxctl fax ...`: offline fax document tools (convert documents to TIFF-F, TIFF-F to PDF).
//
//   pbxctl fax convert letter.pdf scan.tif -o out.tif --fine --header "ACME Corp"
//   pbxctl fax topdf received.tif -o received.pdf --thumbnail received.png
//
// Thread-safety: single-threaded CLI.
#pragma once

#include "tools/pbxctl/command_group.h"

namespace pbxctl {

CommandGroup FaxCommands();

}  // namespace pbxctl
