// Small text helpers shared by the SDP parser and the SessionDescription queries: field
// splitting and strict decimal parsing, none of which allocate beyond their output.
//
// Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace pbx::sip::internal {

inline bool IsSdpSpace(char c) { return c == ' ' || c == '\t'; }

// Splits on runs of spaces/tabs; no empty fields. At most `maxFields` fields are produced;
// the last one then holds the rest of the line verbatim (leading separators skipped).
std::vector<std::string_view> SplitFields(std::string_view text, size_t maxFields = SIZE_MAX);

// Non-empty run of ASCII digits whose value is at most `max`; nullopt otherwise (no sign,
// no whitespace, no overflow).
std::optional<uint32_t> ParseDecimal(std::string_view text, uint32_t max);

}  // namespace pbx::sip::internal
