#include "lib/media/dtmf/dtmf_info.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace pbx::media::internal {
namespace {

// This abseil build's string_view is not std::string_view, so the few helpers are local.
std::string_view Trim(std::string_view text) {
  const auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// A key given as itself or as its RFC 4733 event code ("11" is '#').
std::optional<char> ParseKey(std::string_view text) {
  text = Trim(text);
  if (text.size() == 1) {
    const int event = DtmfEventForDigit(text[0]);
    if (event >= 0) return DtmfDigitForEvent(event);
    return std::nullopt;
  }
  int code = -1;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), code);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return DtmfDigitForEvent(code);
}

std::chrono::milliseconds ParseDuration(std::string_view text) {
  text = Trim(text);
  long long ms = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), ms);
  if (error != std::errc() || end != text.data() + text.size() || ms <= 0) {
    return kDefaultInfoDuration;
  }
  return std::min(std::chrono::milliseconds(ms), kMaxInfoDuration);
}

}  // namespace

std::optional<DtmfDigit> ParseDtmfInfo(std::string_view contentType, std::string_view body) {
  std::string_view type = contentType.substr(0, contentType.find(';'));
  type = Trim(type);
  if (EqualsIgnoreCase(type, kDtmfRelayContentType)) return ParseDtmfRelay(body);
  if (EqualsIgnoreCase(type, kDtmfContentType)) return ParseDtmfBody(body);
  return std::nullopt;
}

std::optional<DtmfDigit> ParseDtmfRelay(std::string_view body) {
  std::optional<char> key;
  std::chrono::milliseconds duration = kDefaultInfoDuration;
  while (!body.empty()) {
    const size_t newline = body.find('\n');
    const std::string_view line = body.substr(0, newline);
    body = newline == std::string_view::npos ? std::string_view() : body.substr(newline + 1);
    const size_t equals = line.find('=');
    if (equals == std::string_view::npos) continue;
    const std::string_view name = Trim(line.substr(0, equals));
    const std::string_view value = line.substr(equals + 1);  // Trim drops the '\r'
    if (EqualsIgnoreCase(name, "Signal")) {
      key = ParseKey(value);
      if (!key) return std::nullopt;
    } else if (EqualsIgnoreCase(name, "Duration")) {
      duration = ParseDuration(value);
    }
  }
  if (!key) return std::nullopt;
  return DtmfDigit{.digit = *key, .duration = duration, .volume = kDefaultDtmfVolume};
}

std::optional<DtmfDigit> ParseDtmfBody(std::string_view body) {
  if (body.find('=') != std::string_view::npos) return ParseDtmfRelay(body);
  const std::optional<char> key = ParseKey(body);
  if (!key) return std::nullopt;
  return DtmfDigit{.digit = *key, .duration = kDefaultInfoDuration, .volume = kDefaultDtmfVolume};
}

std::string FormatDtmfRelay(const DtmfDigit& digit) {
  std::string body = "Signal=";
  body += digit.digit;
  body += "\r\nDuration=";
  body += std::to_string(digit.duration.count());
  body += "\r\n";
  return body;
}

std::string FormatDtmfBody(const DtmfDigit& digit) { return std::string(1, digit.digit); }

}  // namespace pbx::media::internal
