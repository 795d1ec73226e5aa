#include "lib/media/codec/codec_catalog.h"

#include <array>
#include <charconv>
#include <vector>

#include "absl/strings/str_cat.h"
#include "pbx/media/media_types.h"

namespace pbx::media::internal {
namespace {

// RFC 7587's range for maxaveragebitrate.
constexpr int kMinOpusBitrate = 6000;
constexpr int kMaxOpusBitrate = 510000;

const std::array<CodecInfo, 4>& Catalog() {
  // Heap-allocated and never freed: a function-local static with no destructor to order.
  static const auto* catalog = new std::array<CodecInfo, 4>{{
      {"opus", -1, 48000, 2, OpusFmtp(CodecParams{.name = "opus"})},
      {"G722", 9, 8000, 1, ""},
      {"PCMU", 0, 8000, 1, ""},
      {"PCMA", 8, 8000, 1, ""},
  }};
  return *catalog;
}

// This abseil's string_view is not std::string_view, so its string helpers would need a
// conversion at every call; the few needed here are short.
bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view Trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(kSpace) - begin + 1);
}

// RFC 7587's boolean parameters are "0" or "1"; anything else is ignored.
void ParseFlag(std::string_view value, bool& out) {
  if (value == "0" || value == "1") out = value == "1";
}

// The whole of `value` as a decimal integer, or false.
bool ParseInt(std::string_view value, int& out) {
  if (value.empty()) return false;
  const char* end = value.data() + value.size();
  auto [next, error] = std::from_chars(value.data(), end, out);
  return error == std::errc() && next == end;
}

}  // namespace

std::span<const CodecInfo> SupportedCodecs() { return Catalog(); }

const CodecInfo* FindCodec(std::string_view name) {
  for (const CodecInfo& codec : Catalog()) {
    if (EqualsIgnoreCase(codec.name, name)) return &codec;
  }
  return nullptr;
}

std::string OpusFmtp(const CodecParams& params) {
  std::string fmtp = absl::StrCat("useinbandfec=", params.opusInbandFec ? 1 : 0);
  if (params.opusMaxAverageBitrate > 0) {
    absl::StrAppend(&fmtp, "; maxaveragebitrate=", params.opusMaxAverageBitrate);
  }
  if (params.opusDtx) absl::StrAppend(&fmtp, "; usedtx=1");
  absl::StrAppend(&fmtp, "; stereo=0");
  return fmtp;
}

void ParseOpusFmtp(std::string_view fmtp, CodecParams& params) {
  while (!fmtp.empty()) {
    size_t semicolon = fmtp.find(';');
    std::string_view pair = fmtp.substr(0, semicolon);
    fmtp = semicolon == std::string_view::npos ? std::string_view() : fmtp.substr(semicolon + 1);
    size_t equals = pair.find('=');
    if (equals == std::string_view::npos) continue;
    std::string_view key = Trim(pair.substr(0, equals));
    std::string_view value = Trim(pair.substr(equals + 1));
    if (EqualsIgnoreCase(key, "useinbandfec")) {
      ParseFlag(value, params.opusInbandFec);
    } else if (EqualsIgnoreCase(key, "usedtx")) {
      ParseFlag(value, params.opusDtx);
    } else if (EqualsIgnoreCase(key, "maxaveragebitrate")) {
      int bitrate = 0;
      if (ParseInt(value, bitrate) && bitrate >= kMinOpusBitrate && bitrate <= kMaxOpusBitrate) {
        params.opusMaxAverageBitrate = bitrate;
      }
    }
  }
}

}  // namespace pbx::media::internal

namespace pbx::media {

std::vector<std::string> SupportedCodecNames() {
  std::vector<std::string> names;
  for (const internal::CodecInfo& codec : internal::SupportedCodecs()) names.push_back(codec.name);
  return names;
}

}  // namespace pbx::media
