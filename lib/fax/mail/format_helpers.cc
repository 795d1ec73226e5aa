#include "lib/fax/mail/format_helpers.h"

#include "absl/strings/ascii.h"

namespace pbx::fax::internal {

std::string OneLine(absl::string_view text) {
  std::string out;
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) out += c;
  }
  return out;
}

std::string FileNameSafe(absl::string_view text) {
  std::string out;
  for (char c : text) {
    bool keep = absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '#' ||
                c == '*' || c == '-';
    out += keep ? c : '_';
  }
  return out;
}

std::string FormatSystemTime(absl::string_view format, SystemTime time, absl::TimeZone zone) {
  return absl::FormatTime(format, absl::FromChrono(time), zone);
}

}  // namespace pbx::fax::internal
