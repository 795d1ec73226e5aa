#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"
#include "pbx/fax/mail_message.h"

namespace pbx::fax {

std::string MailAddressOf(absl::string_view headerAddress) {
  absl::string_view text = absl::StripAsciiWhitespace(headerAddress);
  // "Name <addr>": the last angle-bracketed part wins (display names may contain '<' only
  // when quoted, and then the real address still comes last).
  size_t close = text.rfind('>');
  if (close != absl::string_view::npos) {
    size_t open = text.rfind('<', close);
    if (open == absl::string_view::npos) return "";
    return std::string(absl::StripAsciiWhitespace(text.substr(open + 1, close - open - 1)));
  }
  // A bare address, possibly followed by an RFC 5322 comment: "bob@example.com (Bob)".
  size_t end = text.find_first_of(" \t(");
  return std::string(text.substr(0, end));
}

}  // namespace pbx::fax
