// pbxd's YAML configuration: the file format of examples/config/demo.yaml, turned into
// pbx::Options plus the daemon's own settings. Every error names the file, the line and the
// field ("demo.yaml:12: sip.registration.min_expires: expected a duration like 60s").
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "pbx/base/logging.h"
#include "pbx/options.h"

namespace pbxd {

struct Config {
  pbx::Options options;
  std::string metricsListen = "127.0.0.1:9060";  // empty: no metrics endpoint
  pbx::LogLevel logLevel = pbx::LogLevel::kInfo;
};

absl::StatusOr<Config> LoadConfig(const std::string& path);
// The same from text; `name` is used in messages in place of the file name.
absl::StatusOr<Config> ParseConfig(const std::string& text, const std::string& name);

}  // namespace pbxd
