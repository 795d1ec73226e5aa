// Internal logging macros over pbx/base/logging.h, formatting with fmt only when the level is
// enabled:
//
//   PBX_LOG(kInfo, "sip", leg.str(), "registered {} at {}", user, contact);
#pragma once

#include <fmt/format.h>

#include "pbx/base/logging.h"

#define PBX_LOG(level, component, context, ...)                                         \
  do {                                                                                  \
    if (::pbx::LogEnabled(::pbx::LogLevel::level)) {                                    \
      ::pbx::Log(::pbx::LogLevel::level, component, context, ::fmt::format(__VA_ARGS__)); \
    }                                                                                   \
  } while (0)
