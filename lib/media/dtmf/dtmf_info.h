// DTMF carried in SIP INFO bodies (RFC 6086 INFO with the de-facto body types): parsing what
// a phone or gateway sends and formatting what we send.
//
//   application/dtmf-relay   "Signal=5\r\nDuration=160\r\n"   (Duration in milliseconds)
//   application/dtmf         "5"                               (one key, or its event code)
//
//   std::optional<DtmfDigit> digit = ParseDtmfInfo("application/dtmf-relay", body);
//   std::string body = FormatDtmfRelay(DtmfDigit{.digit = '#', .duration = 250ms});
//
// Parsing is tolerant of what real devices send: any case in keys and content type, spaces
// around '=', LF-only lines, a missing or unreadable Duration (kDefaultInfoDuration), keys
// 'a'-'d', and the event codes 10-15 for '*', '#', 'A'-'D'. A body without a recognisable key
// gives nullopt. INFO carries no level: the digit gets kDefaultDtmfVolume.
//
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "lib/media/dtmf/dtmf_digit.h"

namespace pbx::media::internal {

inline constexpr std::chrono::milliseconds kDefaultInfoDuration{100};
// Longer durations are clamped: a body cannot hold a key down for an hour.
inline constexpr std::chrono::milliseconds kMaxInfoDuration{60000};

inline constexpr std::string_view kDtmfRelayContentType = "application/dtmf-relay";
inline constexpr std::string_view kDtmfContentType = "application/dtmf";

// Picks the parser by content type (parameters after ';' ignored); nullopt for other types.
std::optional<DtmfDigit> ParseDtmfInfo(std::string_view contentType, std::string_view body);
// application/dtmf-relay: "Signal=<key>" and an optional "Duration=<ms>" line, in any order.
std::optional<DtmfDigit> ParseDtmfRelay(std::string_view body);
// application/dtmf: a lone key ("5", "#") or event code ("11"); the dtmf-relay form is also
// accepted since some devices send it under this type.
std::optional<DtmfDigit> ParseDtmfBody(std::string_view body);

// "Signal=<key>\r\nDuration=<ms>\r\n".
std::string FormatDtmfRelay(const DtmfDigit& digit);
// "<key>".
std::string FormatDtmfBody(const DtmfDigit& digit);

}  // namespace pbx::media::internal
