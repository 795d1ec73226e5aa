// Durations in pbxd's config: "30s", "5m", "1h", "250ms", or a bare number of seconds.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace pbxd {
std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text);
}  // namespace pbxd
