// The exit codes of pbxctl, which scripts may rely on (`pbxctl --help`, docs/rest-api.md).
//
//   if (reply.status == 404) return pbxctl::kExitNotFound;
//
// Thread-safety: constants.
#pragma once

namespace pbxctl {

inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 1;       // a bad command line (or no password to sign with)
inline constexpr int kExitConnection = 2;  // pbxd could not be reached, or went away
inline constexpr int kExitAuth = 3;        // pbxd refused the credentials (401, 403, no domain)
inline constexpr int kExitNotFound = 4;    // no such call or extension; an event gone (410)
inline constexpr int kExitError = 5;       // any other error: of the API, or of a fax command

}  // namespace pbxctl
