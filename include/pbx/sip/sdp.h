// SessionDescription: our typed SDP model (RFC 4566 / RFC 3264), so call control never
// touches a SIP stack's SDP types. Parsing is strict about structure and lenient about
// what it does not need: attributes, known or not, are kept in order and written back;
// lines the model has no field for (i= u= e= p= k= r= z=, unknown types) are dropped.
//
//   auto sdp = pbx::sip::SessionDescription::Parse(body);     // StatusOr
//   if (!sdp.ok()) return reject(488, sdp.status().message());
//   auto audio = sdp->findMedia("audio");                      // index or nullopt
//   auto where = sdp->rtpAddress(*audio);                      // StatusOr<SocketAddress>
//   sdp->setConnectionAddress("127.0.0.1");
//   sdp->media[*audio].port = relayPort;
//   std::string out = sdp->serialize();
//
// Thread-safety: a value type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "pbx/base/socket_address.h"

namespace pbx::sip {

enum class MediaDirection { kSendRecv, kSendOnly, kRecvOnly, kInactive };
const char* MediaDirectionName(MediaDirection direction);  // "sendrecv", ...

// "a=name:value" or "a=name" (hasValue false).
struct SdpAttribute {
  std::string name;
  std::string value;
  bool hasValue = false;
};

struct SdpConnection {
  std::string networkType = "IN";
  std::string addressType = "IP4";  // "IP4" or "IP6"
  std::string address;              // may carry "/ttl" for multicast; kept verbatim
};

struct SdpOrigin {
  std::string username = "-";
  std::string sessionId = "0";
  std::string sessionVersion = "0";
  std::string networkType = "IN";
  std::string addressType = "IP4";
  std::string address = "0.0.0.0";
};

// "a=rtpmap:<pt> <encoding>/<clock>[/<channels>]", with its "a=fmtp" when present.
struct RtpMap {
  int payloadType = 0;
  std::string encoding;
  int clockRate = 0;
  int channels = 1;
  std::string fmtp;
};

struct MediaDescription {
  std::string media;  // "audio", "video", "image", ...
  uint16_t port = 0;  // 0 = rejected/disabled stream
  int portCount = 1;
  std::string protocol;              // "RTP/AVP", "RTP/SAVP", "udptl", ...
  std::vector<std::string> formats;  // payload types, or "t38"
  std::optional<SdpConnection> connection;
  std::vector<std::string> bandwidths;   // "b=" values, verbatim
  std::vector<SdpAttribute> attributes;  // in order, direction attributes included

  // Direction from a=sendrecv/sendonly/recvonly/inactive, if this stream has one.
  std::optional<MediaDirection> direction() const;
  // Replaces any direction attribute of this stream.
  void setDirection(MediaDirection direction);
  // rtpmap/fmtp of every format, static payload types 0 (PCMU) and 8 (PCMA) included.
  std::vector<RtpMap> rtpMaps() const;
  const SdpAttribute* findAttribute(std::string_view name) const;
  void removeAttributes(std::string_view name);
};

struct SessionDescription {
  int version = 0;
  SdpOrigin origin;
  std::string sessionName = "-";
  std::optional<SdpConnection> connection;
  std::vector<std::string> bandwidths;
  std::vector<std::string> timing{"0 0"};  // "t=" values
  std::vector<SdpAttribute> attributes;    // session-level
  std::vector<MediaDescription> media;

  // Parses an SDP body; InvalidArgument names the offending line.
  static absl::StatusOr<SessionDescription> Parse(std::string_view text);
  // Writes the body with CRLF line endings.
  std::string serialize() const;

  // Index of the first stream of the given media type with a non-zero port.
  std::optional<size_t> findMedia(std::string_view type) const;
  // The effective connection address (media-level c= or else session-level) and port of a
  // stream. InvalidArgument when no c= line applies or the address is not numeric.
  absl::StatusOr<SocketAddress> rtpAddress(size_t index) const;
  // Effective direction of a stream: its own attribute, else the session's, else sendrecv;
  // a connection address of 0.0.0.0 (RFC 2543 hold) counts as inactive.
  MediaDirection effectiveDirection(size_t index) const;
  // Points the session (origin, session-level c=) and every media-level c= at `ip`.
  void setConnectionAddress(const std::string& ip);
};

}  // namespace pbx::sip
