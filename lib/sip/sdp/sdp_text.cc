#include "lib/sip/sdp/sdp_text.h"

namespace pbx::sip::internal {

std::vector<std::string_view> SplitFields(std::string_view text, size_t maxFields) {
  std::vector<std::string_view> fields;
  size_t pos = 0;
  while (pos < text.size() && fields.size() < maxFields) {
    while (pos < text.size() && IsSdpSpace(text[pos])) ++pos;
    if (pos == text.size()) break;
    if (fields.size() + 1 == maxFields) {
      size_t end = text.size();
      while (end > pos && IsSdpSpace(text[end - 1])) --end;
      fields.push_back(text.substr(pos, end - pos));
      break;
    }
    size_t end = pos;
    while (end < text.size() && !IsSdpSpace(text[end])) ++end;
    fields.push_back(text.substr(pos, end - pos));
    pos = end;
  }
  return fields;
}

std::optional<uint32_t> ParseDecimal(std::string_view text, uint32_t max) {
  if (text.empty()) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
    if (value > max) return std::nullopt;
  }
  return static_cast<uint32_t>(value);
}

}  // namespace pbx::sip::internal
