// SessionDescription queries, edits and serialization (the parser is in sdp_parse.cc).
#include "pbx/sip/sdp.h"

#include <algorithm>
#include <array>
#include <string>

#include "absl/strings/str_cat.h"
#include "lib/sip/sdp/sdp_text.h"

namespace pbx::sip {
namespace {

using internal::ParseDecimal;
using internal::SplitFields;

constexpr int kMaxPayloadType = 127;

struct StaticPayloadType {
  int payloadType;
  const char* encoding;
  int clockRate;
  int channels;
};

// RFC 3551 section 6, tables 4 and 5: what a static payload type means without an rtpmap.
constexpr StaticPayloadType kStaticPayloadTypes[] = {
    {0, "PCMU", 8000, 1},   {3, "GSM", 8000, 1},    {4, "G723", 8000, 1},   {5, "DVI4", 8000, 1},
    {6, "DVI4", 16000, 1},  {7, "LPC", 8000, 1},    {8, "PCMA", 8000, 1},   {9, "G722", 8000, 1},
    {10, "L16", 44100, 2},  {11, "L16", 44100, 1},  {12, "QCELP", 8000, 1}, {13, "CN", 8000, 1},
    {14, "MPA", 90000, 1},  {15, "G728", 8000, 1},  {16, "DVI4", 11025, 1}, {17, "DVI4", 22050, 1},
    {18, "G729", 8000, 1},  {25, "CelB", 90000, 1}, {26, "JPEG", 90000, 1}, {28, "nv", 90000, 1},
    {31, "H261", 90000, 1}, {32, "MPV", 90000, 1},  {33, "MP2T", 90000, 1}, {34, "H263", 90000, 1},
};

const StaticPayloadType* FindStaticPayloadType(int payloadType) {
  for (const StaticPayloadType& entry : kStaticPayloadTypes) {
    if (entry.payloadType == payloadType) return &entry;
  }
  return nullptr;
}

std::optional<MediaDirection> DirectionFromName(std::string_view name) {
  if (name == "sendrecv") return MediaDirection::kSendRecv;
  if (name == "sendonly") return MediaDirection::kSendOnly;
  if (name == "recvonly") return MediaDirection::kRecvOnly;
  if (name == "inactive") return MediaDirection::kInactive;
  return std::nullopt;
}

std::optional<MediaDirection> FindDirection(const std::vector<SdpAttribute>& attributes) {
  for (const SdpAttribute& attribute : attributes) {
    if (attribute.hasValue) continue;
    if (auto direction = DirectionFromName(attribute.name)) return direction;
  }
  return std::nullopt;
}

// "<encoding>/<clock>[/<channels>]" into `map`; false when malformed.
bool ParseEncoding(std::string_view text, RtpMap& map) {
  size_t slash = text.find('/');
  if (slash == 0 || slash == std::string_view::npos) return false;
  std::string_view rest = text.substr(slash + 1);
  std::string_view channels;
  if (size_t second = rest.find('/'); second != std::string_view::npos) {
    channels = rest.substr(second + 1);
    rest = rest.substr(0, second);
  }
  std::optional<uint32_t> clock = ParseDecimal(rest, 10'000'000);
  if (!clock || *clock == 0) return false;
  int channelCount = 1;
  if (!channels.empty()) {
    std::optional<uint32_t> parsed = ParseDecimal(channels, 255);
    if (!parsed || *parsed == 0) return false;
    channelCount = static_cast<int>(*parsed);
  }
  map.encoding = std::string(text.substr(0, slash));
  map.clockRate = static_cast<int>(*clock);
  map.channels = channelCount;
  return true;
}

std::string_view StripBrackets(std::string_view ip) {
  if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') return ip.substr(1, ip.size() - 2);
  return ip;
}

const char* AddressTypeOf(std::string_view ip) {
  return ip.find(':') == std::string_view::npos ? "IP4" : "IP6";
}

void AppendConnection(std::string& out, const SdpConnection& connection) {
  absl::StrAppend(&out, "c=", connection.networkType, " ", connection.addressType, " ",
                  connection.address, "\r\n");
}

void AppendAttributes(std::string& out, const std::vector<SdpAttribute>& attributes) {
  for (const SdpAttribute& attribute : attributes) {
    if (attribute.hasValue) {
      absl::StrAppend(&out, "a=", attribute.name, ":", attribute.value, "\r\n");
    } else {
      absl::StrAppend(&out, "a=", attribute.name, "\r\n");
    }
  }
}

}  // namespace

const char* MediaDirectionName(MediaDirection direction) {
  switch (direction) {
    case MediaDirection::kSendRecv:
      return "sendrecv";
    case MediaDirection::kSendOnly:
      return "sendonly";
    case MediaDirection::kRecvOnly:
      return "recvonly";
    case MediaDirection::kInactive:
      return "inactive";
  }
  return "unknown";
}

std::optional<MediaDirection> MediaDescription::direction() const {
  return FindDirection(attributes);
}

void MediaDescription::setDirection(MediaDirection direction) {
  SdpAttribute replacement{MediaDirectionName(direction), "", false};
  // Keep the attribute where the old one was, so a re-offer differs only in that line.
  auto isDirection = [](const SdpAttribute& a) {
    return !a.hasValue && DirectionFromName(a.name).has_value();
  };
  auto first = std::find_if(attributes.begin(), attributes.end(), isDirection);
  if (first == attributes.end()) {
    attributes.push_back(std::move(replacement));
    return;
  }
  *first = std::move(replacement);
  attributes.erase(std::remove_if(first + 1, attributes.end(), isDirection), attributes.end());
}

std::vector<RtpMap> MediaDescription::rtpMaps() const {
  // One pass over the attributes indexed by payload type, so the cost stays linear even for a
  // hostile body with thousands of formats and attributes.
  std::array<std::optional<RtpMap>, kMaxPayloadType + 1> mapped;
  std::array<std::optional<std::string_view>, kMaxPayloadType + 1> parameters;
  for (const SdpAttribute& attribute : attributes) {
    bool isRtpmap = attribute.name == "rtpmap";
    if (!isRtpmap && attribute.name != "fmtp") continue;
    std::vector<std::string_view> fields = SplitFields(attribute.value, 2);
    if (fields.empty()) continue;
    std::optional<uint32_t> payloadType = ParseDecimal(fields[0], kMaxPayloadType);
    if (!payloadType) continue;
    std::string_view rest = fields.size() == 2 ? fields[1] : std::string_view();
    if (!isRtpmap) {
      if (!parameters[*payloadType]) parameters[*payloadType] = rest;
    } else if (!mapped[*payloadType]) {
      RtpMap map;
      if (ParseEncoding(rest, map)) mapped[*payloadType] = std::move(map);
    }
  }

  std::vector<RtpMap> maps;
  bool isRtp = protocol.find("RTP") != std::string::npos;
  for (const std::string& format : formats) {
    std::optional<uint32_t> payloadType = ParseDecimal(format, kMaxPayloadType);
    if (!payloadType) continue;  // "t38", "*", ... are not RTP payload types
    RtpMap map;
    if (mapped[*payloadType]) {
      map = *mapped[*payloadType];
    } else if (const StaticPayloadType* known = FindStaticPayloadType(*payloadType);
               known != nullptr && isRtp) {
      map.encoding = known->encoding;
      map.clockRate = known->clockRate;
      map.channels = known->channels;
    } else {
      continue;  // a dynamic payload type nobody described
    }
    map.payloadType = static_cast<int>(*payloadType);
    if (parameters[*payloadType]) map.fmtp = std::string(*parameters[*payloadType]);
    maps.push_back(std::move(map));
  }
  return maps;
}

const SdpAttribute* MediaDescription::findAttribute(std::string_view name) const {
  for (const SdpAttribute& attribute : attributes) {
    if (attribute.name == name) return &attribute;
  }
  return nullptr;
}

void MediaDescription::removeAttributes(std::string_view name) {
  attributes.erase(std::remove_if(attributes.begin(), attributes.end(),
                                  [&](const SdpAttribute& a) { return a.name == name; }),
                   attributes.end());
}

std::string SessionDescription::serialize() const {
  std::string out;
  absl::StrAppend(&out, "v=", version, "\r\n");
  absl::StrAppend(&out, "o=", origin.username, " ", origin.sessionId, " ", origin.sessionVersion,
                  " ", origin.networkType, " ", origin.addressType, " ", origin.address, "\r\n");
  // RFC 4566 5.3: a session without a meaningful name is written "s= ".
  absl::StrAppend(&out, "s=", sessionName.empty() ? " " : sessionName, "\r\n");
  if (connection) AppendConnection(out, *connection);
  for (const std::string& bandwidth : bandwidths) absl::StrAppend(&out, "b=", bandwidth, "\r\n");
  if (timing.empty()) out += "t=0 0\r\n";
  for (const std::string& time : timing) absl::StrAppend(&out, "t=", time, "\r\n");
  AppendAttributes(out, attributes);
  for (const MediaDescription& m : media) {
    absl::StrAppend(&out, "m=", m.media, " ", m.port);
    if (m.portCount != 1) absl::StrAppend(&out, "/", m.portCount);
    absl::StrAppend(&out, " ", m.protocol);
    for (const std::string& format : m.formats) absl::StrAppend(&out, " ", format);
    out += "\r\n";
    if (m.connection) AppendConnection(out, *m.connection);
    for (const std::string& bandwidth : m.bandwidths) {
      absl::StrAppend(&out, "b=", bandwidth, "\r\n");
    }
    AppendAttributes(out, m.attributes);
  }
  return out;
}

std::optional<size_t> SessionDescription::findMedia(std::string_view type) const {
  for (size_t i = 0; i < media.size(); ++i) {
    if (media[i].media == type && media[i].port != 0) return i;
  }
  return std::nullopt;
}

absl::StatusOr<SocketAddress> SessionDescription::rtpAddress(size_t index) const {
  if (index >= media.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("SDP has no media stream #", index, " (it has ", media.size(), ")"));
  }
  const MediaDescription& stream = media[index];
  const SdpConnection* where = stream.connection ? &*stream.connection
                               : connection      ? &*connection
                                                 : nullptr;
  if (where == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("no c= line applies to the ", stream.media, " stream #", index));
  }
  // Multicast addresses carry "/<ttl>[/<count>]"; the address is what precedes it.
  std::string_view address = where->address;
  address = address.substr(0, address.find('/'));
  absl::StatusOr<SocketAddress> parsed = SocketAddress::Parse(address, stream.port);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("connection address '", where->address.substr(0, 64),
                     "' is not a numeric IPv4/IPv6 address (host names in SDP are not resolved)"));
  }
  return parsed;
}

MediaDirection SessionDescription::effectiveDirection(size_t index) const {
  if (index >= media.size()) return MediaDirection::kSendRecv;
  const MediaDescription& stream = media[index];
  const std::optional<SdpConnection>& where = stream.connection ? stream.connection : connection;
  if (where && where->address == "0.0.0.0") return MediaDirection::kInactive;
  if (auto own = stream.direction()) return *own;
  if (auto session = FindDirection(attributes)) return *session;
  return MediaDirection::kSendRecv;
}

void SessionDescription::setConnectionAddress(const std::string& ip) {
  std::string address(StripBrackets(ip));
  const char* addressType = AddressTypeOf(address);
  origin.networkType = "IN";
  origin.addressType = addressType;
  origin.address = address;
  SdpConnection updated{"IN", addressType, address};
  connection = updated;
  for (MediaDescription& m : media) {
    if (m.connection) m.connection = updated;
  }
}

}  // namespace pbx::sip
