// Status helpers used at every fallible boundary of pbxkit.
//
// pbxkit reports failures with absl::Status / absl::StatusOr<T>; nothing throws across the
// public API. These macros keep the propagation short:
//
//   absl::StatusOr<Config> LoadConfig(const std::string& path) {
//     PBX_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
//     PBX_RETURN_IF_ERROR(Validate(text));
//     ...
//   }
//
// Thread-safety: stateless.
#pragma once

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define PBX_RETURN_IF_ERROR(expr)                                 \
  do {                                                            \
    if (::absl::Status _pbx_status = (expr); !_pbx_status.ok()) { \
      return _pbx_status;                                         \
    }                                                             \
  } while (0)

#define PBX_STATUS_CONCAT_INNER(a, b) a##b
#define PBX_STATUS_CONCAT(a, b) PBX_STATUS_CONCAT_INNER(a, b)

#define PBX_ASSIGN_OR_RETURN(lhs, expr) \
  PBX_ASSIGN_OR_RETURN_IMPL(PBX_STATUS_CONCAT(_pbx_statusor_, __LINE__), lhs, expr)

#define PBX_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return std::move(tmp).status();  \
  lhs = std::move(tmp).value()
