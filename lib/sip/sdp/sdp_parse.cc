// SessionDescription::Parse: one pass over the lines of an SDP body. Input is untrusted
// network data, so every limit is checked before anything grows and every failure is an
// InvalidArgument that names the line.
#include <string>
#include <string_view>

#include "absl/strings/escaping.h"
#include "absl/strings/str_format.h"
#include "lib/sip/sdp/sdp_text.h"
#include "pbx/sip/sdp.h"

namespace pbx::sip {
namespace {

using internal::ParseDecimal;
using internal::SplitFields;

constexpr size_t kMaxBodyBytes = 64 * 1024;
constexpr size_t kMaxMedia = 64;
constexpr size_t kMaxAttributes = 1024;
constexpr size_t kMaxOtherRepeated = 256;  // b= and t= lines together
constexpr size_t kQuotedChars = 60;
constexpr uint32_t kMaxVersion = 999999;

bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

class Parser {
 public:
  absl::StatusOr<SessionDescription> run(std::string_view text);

 private:
  absl::Status error(std::string_view reason) const;
  absl::Status parseLine(char type, std::string_view value);
  absl::Status parseSessionLine(char type, std::string_view value);
  absl::Status parseMediaLine(char type, std::string_view value);
  absl::Status parseVersion(std::string_view value);
  absl::Status parseOrigin(std::string_view value);
  absl::StatusOr<SdpConnection> parseConnection(std::string_view value) const;
  absl::Status parseMedia(std::string_view value);
  absl::Status addAttribute(std::string_view value, std::vector<SdpAttribute>& to);
  absl::Status countRepeated();

  SessionDescription sdp_;
  size_t lineNumber_ = 0;
  std::string_view line_;
  bool sawVersion_ = false;
  bool sawTiming_ = false;
  size_t attributeCount_ = 0;
  size_t repeatedCount_ = 0;
};

absl::Status Parser::error(std::string_view reason) const {
  std::string_view quoted = line_.substr(0, kQuotedChars);
  std::string shown = absl::CHexEscape(absl::string_view(quoted.data(), quoted.size()));
  if (line_.size() > kQuotedChars) shown += "...";
  return absl::InvalidArgumentError(
      absl::StrFormat("SDP line %d: %s: \"%s\"", lineNumber_, reason, shown));
}

absl::StatusOr<SessionDescription> Parser::run(std::string_view text) {
  if (text.size() > kMaxBodyBytes) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "SDP body of %d bytes exceeds the %d byte limit", text.size(), kMaxBodyBytes));
  }
  size_t pos = 0;
  while (pos < text.size()) {
    size_t newline = text.find('\n', pos);
    size_t end = newline == std::string_view::npos ? text.size() : newline;
    line_ = text.substr(pos, end - pos);
    pos = end + 1;
    ++lineNumber_;
    while (!line_.empty() && (internal::IsSdpSpace(line_.back()) || line_.back() == '\r')) {
      line_.remove_suffix(1);
    }
    if (line_.empty()) continue;  // blank lines (e.g. a trailing CRLF CRLF) carry nothing
    if (line_.size() < 2 || line_[1] != '=') return error("expected <type>=<value>");
    if (!IsLetter(line_[0])) return error("line type must be a letter");
    // RFC 4566 byte-string excludes NUL, CR and LF; a stray CR would not survive a round trip.
    if (line_.find_first_of(std::string_view("\0\r", 2)) != std::string_view::npos) {
      return error("NUL or CR inside a line");
    }
    if (absl::Status status = parseLine(line_[0], line_.substr(2)); !status.ok()) return status;
  }
  if (!sawVersion_) return absl::InvalidArgumentError("SDP body has no v= line");
  return std::move(sdp_);
}

absl::Status Parser::parseLine(char type, std::string_view value) {
  if (!sawVersion_) {
    if (type != 'v') return error("SDP must start with a v= line");
    return parseVersion(value);
  }
  if (type == 'v') return error("duplicate v= line");
  if (type == 'm') return parseMedia(value);
  return sdp_.media.empty() ? parseSessionLine(type, value) : parseMediaLine(type, value);
}

absl::Status Parser::parseSessionLine(char type, std::string_view value) {
  switch (type) {
    case 'o':
      return parseOrigin(value);
    case 's':
      sdp_.sessionName = std::string(value);
      return absl::OkStatus();
    case 'c': {
      absl::StatusOr<SdpConnection> connection = parseConnection(value);
      if (!connection.ok()) return connection.status();
      if (!sdp_.connection) sdp_.connection = *std::move(connection);
      return absl::OkStatus();
    }
    case 'b':
      if (absl::Status status = countRepeated(); !status.ok()) return status;
      sdp_.bandwidths.emplace_back(value);
      return absl::OkStatus();
    case 't':
      if (absl::Status status = countRepeated(); !status.ok()) return status;
      if (!sawTiming_) sdp_.timing.clear();
      sawTiming_ = true;
      sdp_.timing.emplace_back(value);
      return absl::OkStatus();
    case 'a':
      return addAttribute(value, sdp_.attributes);
    default:
      // i= u= e= p= k= r= z= and unknown types: well-formed, but the model has no field.
      return absl::OkStatus();
  }
}

absl::Status Parser::parseMediaLine(char type, std::string_view value) {
  MediaDescription& media = sdp_.media.back();
  switch (type) {
    case 'c': {
      absl::StatusOr<SdpConnection> connection = parseConnection(value);
      if (!connection.ok()) return connection.status();
      // Several c= lines are only meaningful for layered multicast; the first one is kept.
      if (!media.connection) media.connection = *std::move(connection);
      return absl::OkStatus();
    }
    case 'b':
      if (absl::Status status = countRepeated(); !status.ok()) return status;
      media.bandwidths.emplace_back(value);
      return absl::OkStatus();
    case 'a':
      return addAttribute(value, media.attributes);
    default:
      return absl::OkStatus();  // i= k= and anything unknown
  }
}

absl::Status Parser::parseVersion(std::string_view value) {
  std::optional<uint32_t> version = ParseDecimal(value, kMaxVersion);
  if (!version) return error("bad protocol version");
  // RFC 8866 5.1: version 0 is the only one, with no minor number.
  if (*version != 0) return error("unsupported protocol version (only v=0 exists)");
  sdp_.version = 0;
  sawVersion_ = true;
  return absl::OkStatus();
}

absl::Status Parser::parseOrigin(std::string_view value) {
  std::vector<std::string_view> fields = SplitFields(value, 7);
  if (fields.size() < 6) {
    return error(
        "o= line needs username, session id, version, network type, address type and address");
  }
  sdp_.origin.username = std::string(fields[0]);
  sdp_.origin.sessionId = std::string(fields[1]);
  sdp_.origin.sessionVersion = std::string(fields[2]);
  sdp_.origin.networkType = std::string(fields[3]);
  sdp_.origin.addressType = std::string(fields[4]);
  sdp_.origin.address = std::string(fields[5]);
  return absl::OkStatus();
}

absl::StatusOr<SdpConnection> Parser::parseConnection(std::string_view value) const {
  std::vector<std::string_view> fields = SplitFields(value, 4);
  if (fields.size() < 3) return error("c= line needs network type, address type and address");
  SdpConnection connection;
  connection.networkType = std::string(fields[0]);
  connection.addressType = std::string(fields[1]);
  connection.address = std::string(fields[2]);
  return connection;
}

absl::Status Parser::parseMedia(std::string_view value) {
  if (sdp_.media.size() >= kMaxMedia) {
    return error(absl::StrFormat("more than %d m= lines", kMaxMedia));
  }
  std::vector<std::string_view> fields = SplitFields(value);
  if (fields.size() < 4) return error("m= line needs media, port, protocol and formats");
  MediaDescription media;
  media.media = std::string(fields[0]);
  std::string_view port = fields[1];
  if (size_t slash = port.find('/'); slash != std::string_view::npos) {
    std::optional<uint32_t> count = ParseDecimal(port.substr(slash + 1), 65535);
    if (!count || *count == 0) return error("bad port count in m= line");
    media.portCount = static_cast<int>(*count);
    port = port.substr(0, slash);
  }
  std::optional<uint32_t> number = ParseDecimal(port, 65535);
  if (!number) return error("bad port in m= line");
  media.port = static_cast<uint16_t>(*number);
  media.protocol = std::string(fields[2]);
  media.formats.assign(fields.begin() + 3, fields.end());
  sdp_.media.push_back(std::move(media));
  return absl::OkStatus();
}

absl::Status Parser::addAttribute(std::string_view value, std::vector<SdpAttribute>& to) {
  if (attributeCount_ >= kMaxAttributes) {
    return error(absl::StrFormat("more than %d attributes", kMaxAttributes));
  }
  ++attributeCount_;
  SdpAttribute attribute;
  if (size_t colon = value.find(':'); colon != std::string_view::npos) {
    attribute.name = std::string(value.substr(0, colon));
    attribute.value = std::string(value.substr(colon + 1));
    attribute.hasValue = true;
  } else {
    attribute.name = std::string(value);
  }
  if (attribute.name.empty()) return error("attribute without a name");
  to.push_back(std::move(attribute));
  return absl::OkStatus();
}

absl::Status Parser::countRepeated() {
  if (repeatedCount_ >= kMaxOtherRepeated) {
    return error(absl::StrFormat("more than %d b= and t= lines", kMaxOtherRepeated));
  }
  ++repeatedCount_;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SessionDescription> SessionDescription::Parse(std::string_view text) {
  return Parser().run(text);
}

}  // namespace pbx::sip
