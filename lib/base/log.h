// Internal logging macros over pbx/base/logging.h, formatting with fmt only when the level is
// enabled:
//
//   PBX_LOG(kInfo, "sip", leg.str(), "registered {} at {}", user, contact);
#pragma once

#include <fmt/format.h>

#include "absl/strings/string_view.h"

#include "pbx/base/logging.h"

// Abseil 20220623's string_view is its own type (Status::message() returns it): format it as text.
template <>
struct fmt::formatter<absl::string_view> : fmt::formatter<fmt::string_view> {
  template <typename Context>
  auto format(absl::string_view s, Context& ctx) const {
    return fmt::formatter<fmt::string_view>::format(fmt::string_view(s.data(), s.size()), ctx);
  }
};

#define PBX_LOG(level, component, context, ...)                                           \
  do {                                                                                    \
    if (::pbx::LogEnabled(::pbx::LogLevel::level)) {                                      \
      ::pbx::Log(::pbx::LogLevel::level, component, context, ::fmt::format(__VA_ARGS__)); \
    }                                                                                     \
  } while (0)
