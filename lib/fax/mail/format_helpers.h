// Small text helpers shared by the fax mail formats. Internal to lib/fax/mail.
//
//   std::string name = internal::FileNameSafe(untrusted_calling_number);
//
// Thread-safety: stateless.
#pragma once

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "pbx/base/time_source.h"

namespace pbx::fax::internal {

// Removes control characters (CR, LF, ...) so a value can go into one header or body line.
std::string OneLine(absl::string_view text);
// Keeps [0-9A-Za-z+#*-] and turns anything else into '_'.
std::string FileNameSafe(absl::string_view text);
// absl::FormatTime of a SystemTime in `zone`.
std::string FormatSystemTime(absl::string_view format, SystemTime time, absl::TimeZone zone);

}  // namespace pbx::fax::internal
