// pbxd's YAML configuration: the file format of examples/config/demo.yaml, turned into
// pbx::Options plus the daemon's own settings. Every error names the file, the line and the
// field ("demo.yaml:12: sip.registration.min_expires: expected a duration like 60s").
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "pbx/base/logging.h"
#include "pbx/options.h"
#include "pbx/sip/sofia.h"

namespace pbxd {

// The `rest:` section: the REST API (docs/rest-api.md). Without the section there is none.
struct RestConfig {
  struct User {
    std::string username;
    std::string password;
  };
  std::string listen;  // HOST:PORT; "127.0.0.1:8080" when the section is there; empty: off
  std::string domain = "default";  // the tenant domain of every user (X-authenticate's Domain)
  std::string salt;                // the domain's salt; empty: a random one at each start
  std::vector<User> users;         // at least one when the API is on

  bool enabled() const { return !listen.empty(); }
};

// The `media:` section's directories (docs/pbxd.md): where the REST API's clients name prompts
// to play and recordings to make. pbxd creates them at start. Relative ones in the file are
// taken from the config file's directory.
struct MediaFilesConfig {
  std::string promptsDir;     // empty: the REST API plays no prompts
  std::string recordingsDir;  // empty: the REST API makes no recordings
};

struct Config {
  pbx::Options options;         // options.media.musicOnHold: resolved against mediaFiles.promptsDir
  pbx::sip::SofiaTuning sofia;  // sip.udp_send_thread
  std::string metricsListen = "127.0.0.1:9060";  // empty: no metrics endpoint
  pbx::LogLevel logLevel = pbx::LogLevel::kInfo;
  RestConfig rest;
  MediaFilesConfig mediaFiles;
};

// Reads the file; relative media directories are taken from its directory.
absl::StatusOr<Config> LoadConfig(const std::string& path);
// The same from text; `name` is used in messages in place of the file name, and relative
// media directories are taken from `baseDir` (empty: left relative, to the working directory).
absl::StatusOr<Config> ParseConfig(const std::string& text, const std::string& name,
                                   const std::string& baseDir = "");

}  // namespace pbxd
