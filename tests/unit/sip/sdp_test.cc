#include "pbx/sip/sdp.h"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <tuple>

#include "absl/strings/escaping.h"

namespace {

using pbx::sip::MediaDescription;
using pbx::sip::MediaDirection;
using pbx::sip::RtpMap;
using pbx::sip::SdpAttribute;
using pbx::sip::SdpConnection;
using pbx::sip::SessionDescription;

// The offers below are written in the shape each user agent sends; addresses are from the
// documentation ranges.
constexpr const char* kBaresipOffer =
    "v=0\r\n"
    "o=- 3412076839 1927423415 IN IP4 192.0.2.10\r\n"
    "s=-\r\n"
    "c=IN IP4 192.0.2.10\r\n"
    "t=0 0\r\n"
    "m=audio 10236 RTP/AVP 96 9 0 8 101\r\n"
    "b=AS:102\r\n"
    "a=rtpmap:96 opus/48000/2\r\n"
    "a=fmtp:96 stereo=1;sprop-stereo=1\r\n"
    "a=rtpmap:9 G722/8000\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-15\r\n"
    "a=sendrecv\r\n"
    "a=label:1\r\n"
    "a=rtcp-rsize\r\n"
    "a=ssrc:1293819234 cname:ab3d2c1e-0c3a\r\n"
    "a=ptime:20\r\n";

// SIPp's stock uac scenario: static payload types without rtpmap lines, LF endings.
constexpr const char* kSippOffer =
    "v=0\n"
    "o=user1 53655765 2353687637 IN IP4 127.0.0.1\n"
    "s=-\n"
    "c=IN IP4 127.0.0.1\n"
    "t=0 0\n"
    "m=audio 6000 RTP/AVP 0 8 18 3\n"
    "a=fmtp:18 annexb=no\n";

constexpr const char* kLinphoneOffer =
    "v=0\r\n"
    "o=alice 3456 2345 IN IP4 10.0.0.5\r\n"
    "s=Talk\r\n"
    "c=IN IP4 203.0.113.7\r\n"
    "t=0 0\r\n"
    "a=ice-pwd:31ec21eb38b2ec6d36e8dc7b\r\n"
    "a=ice-ufrag:3e6f4e0d\r\n"
    "a=rtcp-xr:rcvr-rtt=all:10000 stat-summary=loss,dup,jitt,TTL voip-metrics\r\n"
    "a=record:off\r\n"
    "m=audio 7078 RTP/AVP 96 97 0 8 101 100\r\n"
    "c=IN IP4 203.0.113.7\r\n"
    "a=rtpmap:96 opus/48000/2\r\n"
    "a=fmtp:96 useinbandfec=1\r\n"
    "a=rtpmap:97 speex/16000\r\n"
    "a=fmtp:97 vbr=on\r\n"
    "a=rtpmap:101 telephone-event/48000\r\n"
    "a=rtpmap:100 telephone-event/8000\r\n"
    "a=rtcp:7079 IN IP4 203.0.113.7\r\n"
    "a=candidate:1 1 UDP 2130706431 10.0.0.5 7078 typ host\r\n"
    "a=candidate:1 2 UDP 2130706430 10.0.0.5 7079 typ host\r\n"
    "a=candidate:2 1 UDP 1694498815 203.0.113.7 7078 typ srflx raddr 10.0.0.5 rport 7078\r\n"
    "a=rtcp-fb:* trr-int 1000\r\n"
    "m=video 9078 RTP/AVP 103 99\r\n"
    "c=IN IP4 203.0.113.7\r\n"
    "b=AS:380\r\n"
    "a=rtpmap:103 VP8/90000\r\n"
    "a=rtpmap:99 H264/90000\r\n"
    "a=fmtp:99 profile-level-id=42801F; packetization-mode=1\r\n"
    "a=rtcp:9079 IN IP4 203.0.113.7\r\n"
    "a=rtcp-fb:* ccm fir\r\n"
    "a=rtcp-fb:103 nack pli\r\n";

constexpr const char* kZoiperOffer =
    "v=0\r\n"
    "o=Z 0 0 IN IP4 198.51.100.44\r\n"
    "s=Z\r\n"
    "c=IN IP4 198.51.100.44\r\n"
    "t=0 0\r\n"
    "m=audio 8000 RTP/AVP 106 9 98 101 0 8 3\r\n"
    "a=rtpmap:106 opus/48000/2\r\n"
    "a=fmtp:106 sprop-maxcapturerate=16000; minptime=20; useinbandfec=1\r\n"
    "a=rtpmap:98 telephone-event/48000\r\n"
    "a=fmtp:98 0-16\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-16\r\n"
    "a=sendrecv\r\n"
    "a=rtcp-mux\r\n";

constexpr const char* kT38Offer =
    "v=0\r\n"
    "o=- 1 2 IN IP4 198.51.100.20\r\n"
    "s=-\r\n"
    "c=IN IP4 198.51.100.20\r\n"
    "t=0 0\r\n"
    "m=image 4000 udptl t38\r\n"
    "a=T38FaxVersion:0\r\n"
    "a=T38MaxBitRate:14400\r\n"
    "a=T38FaxFillBitRemoval\r\n"
    "a=T38FaxRateManagement:transferredTCF\r\n"
    "a=T38FaxMaxBuffer:262\r\n"
    "a=T38FaxMaxDatagram:176\r\n"
    "a=T38FaxUdpEC:t38UDPRedundancy\r\n";

constexpr const char* kIpv6Offer =
    "v=0\r\n"
    "o=- 5 5 IN IP6 2001:db8::10\r\n"
    "s=-\r\n"
    "c=IN IP6 2001:db8::10\r\n"
    "t=0 0\r\n"
    "m=audio 5004 RTP/AVP 8\r\n";

const char* const kAllOffers[] = {kBaresipOffer, kSippOffer, kLinphoneOffer,
                                  kZoiperOffer,  kT38Offer,  kIpv6Offer};

SessionDescription MustParse(const std::string& text) {
  auto parsed = SessionDescription::Parse(text);
  REQUIRE_MESSAGE(parsed.ok(), parsed.status().ToString());
  return *std::move(parsed);
}

std::string ParseError(const std::string& text) {
  auto parsed = SessionDescription::Parse(text);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().code() == absl::StatusCode::kInvalidArgument);
  return std::string(parsed.status().message());
}

auto Fields(const SdpAttribute& a) { return std::tie(a.name, a.value, a.hasValue); }
auto Fields(const SdpConnection& c) { return std::tie(c.networkType, c.addressType, c.address); }

bool Same(const std::vector<SdpAttribute>& a, const std::vector<SdpAttribute>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Fields(a[i]) != Fields(b[i])) return false;
  }
  return true;
}

bool Same(const std::optional<SdpConnection>& a, const std::optional<SdpConnection>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || Fields(*a) == Fields(*b);
}

bool Same(const MediaDescription& a, const MediaDescription& b) {
  return std::tie(a.media, a.port, a.portCount, a.protocol, a.formats, a.bandwidths) ==
             std::tie(b.media, b.port, b.portCount, b.protocol, b.formats, b.bandwidths) &&
         Same(a.connection, b.connection) && Same(a.attributes, b.attributes);
}

bool Same(const SessionDescription& a, const SessionDescription& b) {
  const auto& o = a.origin;
  const auto& p = b.origin;
  if (std::tie(a.version, a.sessionName, a.bandwidths, a.timing, o.username, o.sessionId,
               o.sessionVersion, o.networkType, o.addressType, o.address) !=
      std::tie(b.version, b.sessionName, b.bandwidths, b.timing, p.username, p.sessionId,
               p.sessionVersion, p.networkType, p.addressType, p.address)) {
    return false;
  }
  if (!Same(a.connection, b.connection) || !Same(a.attributes, b.attributes)) return false;
  if (a.media.size() != b.media.size()) return false;
  for (size_t i = 0; i < a.media.size(); ++i) {
    if (!Same(a.media[i], b.media[i])) return false;
  }
  return true;
}

bool SameMap(const RtpMap& map, int pt, const char* encoding, int clock, int channels,
             const char* fmtp = "") {
  return map.payloadType == pt && map.encoding == encoding && map.clockRate == clock &&
         map.channels == channels && map.fmtp == fmtp;
}

// A valid body with one stream: the base for the error cases.
std::string WithMediaLine(const std::string& mLine) {
  return "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n" + mLine +
         "\r\n";
}

}  // namespace

TEST_CASE("baresip offer: codecs, fmtp, telephone-event and bandwidth") {
  SessionDescription sdp = MustParse(kBaresipOffer);
  CHECK(sdp.version == 0);
  CHECK(sdp.origin.sessionId == "3412076839");
  CHECK(sdp.origin.address == "192.0.2.10");
  REQUIRE(sdp.media.size() == 1);
  const MediaDescription& audio = sdp.media[0];
  CHECK(audio.media == "audio");
  CHECK(audio.port == 10236);
  CHECK(audio.protocol == "RTP/AVP");
  CHECK(audio.formats == std::vector<std::string>{"96", "9", "0", "8", "101"});
  CHECK(audio.bandwidths == std::vector<std::string>{"AS:102"});
  CHECK(audio.direction() == MediaDirection::kSendRecv);
  REQUIRE(audio.findAttribute("ssrc") != nullptr);
  CHECK(audio.findAttribute("ssrc")->value == "1293819234 cname:ab3d2c1e-0c3a");
  CHECK(audio.findAttribute("rtcp-rsize")->hasValue == false);
  CHECK(audio.findAttribute("nonexistent") == nullptr);

  auto maps = audio.rtpMaps();
  REQUIRE(maps.size() == 5);
  CHECK(SameMap(maps[0], 96, "opus", 48000, 2, "stereo=1;sprop-stereo=1"));
  CHECK(SameMap(maps[1], 9, "G722", 8000, 1));
  CHECK(SameMap(maps[2], 0, "PCMU", 8000, 1));
  CHECK(SameMap(maps[3], 8, "PCMA", 8000, 1));
  CHECK(SameMap(maps[4], 101, "telephone-event", 8000, 1, "0-15"));

  CHECK(sdp.findMedia("audio") == 0u);
  CHECK_FALSE(sdp.findMedia("video").has_value());
  auto where = sdp.rtpAddress(0);
  REQUIRE(where.ok());
  CHECK(where->str() == "192.0.2.10:10236");
}

TEST_CASE("SIPp offer: static payload types get their RFC 3551 defaults") {
  SessionDescription sdp = MustParse(kSippOffer);
  auto maps = sdp.media.at(0).rtpMaps();
  REQUIRE(maps.size() == 4);
  CHECK(SameMap(maps[0], 0, "PCMU", 8000, 1));
  CHECK(SameMap(maps[1], 8, "PCMA", 8000, 1));
  CHECK(SameMap(maps[2], 18, "G729", 8000, 1, "annexb=no"));
  CHECK(SameMap(maps[3], 3, "GSM", 8000, 1));
  CHECK(sdp.effectiveDirection(0) == MediaDirection::kSendRecv);
  CHECK(sdp.rtpAddress(0)->str() == "127.0.0.1:6000");
}

TEST_CASE("static defaults cover the rest of the table; unknown dynamic types are skipped") {
  SessionDescription sdp = MustParse(WithMediaLine("m=audio 5000 RTP/AVP 4 13 9 96 t38"));
  auto maps = sdp.media[0].rtpMaps();
  REQUIRE(maps.size() == 3);
  CHECK(SameMap(maps[0], 4, "G723", 8000, 1));
  CHECK(SameMap(maps[1], 13, "CN", 8000, 1));
  CHECK(SameMap(maps[2], 9, "G722", 8000, 1));
}

TEST_CASE("an explicit rtpmap overrides the static default; a malformed one falls back") {
  SessionDescription sdp = MustParse(WithMediaLine(
      "m=audio 5000 RTP/AVP 0 8\r\na=rtpmap:0 pcmu/8000\r\na=rtpmap:8 PCMA/notanumber"));
  auto maps = sdp.media[0].rtpMaps();
  REQUIRE(maps.size() == 2);
  CHECK(SameMap(maps[0], 0, "pcmu", 8000, 1));
  CHECK(SameMap(maps[1], 8, "PCMA", 8000, 1));
}

TEST_CASE("Linphone offer: session-level ICE, rtcp, candidates and a video stream") {
  SessionDescription sdp = MustParse(kLinphoneOffer);
  CHECK(sdp.sessionName == "Talk");
  REQUIRE(sdp.attributes.size() == 4);
  CHECK(sdp.attributes[0].name == "ice-pwd");
  CHECK(sdp.attributes[2].value ==
        "rcvr-rtt=all:10000 stat-summary=loss,dup,jitt,TTL voip-metrics");
  REQUIRE(sdp.media.size() == 2);
  const MediaDescription& audio = sdp.media[0];
  CHECK(audio.findAttribute("rtcp")->value == "7079 IN IP4 203.0.113.7");
  int candidates = 0;
  for (const SdpAttribute& a : audio.attributes) candidates += a.name == "candidate";
  CHECK(candidates == 3);

  auto maps = audio.rtpMaps();
  REQUIRE(maps.size() == 6);
  CHECK(SameMap(maps[0], 96, "opus", 48000, 2, "useinbandfec=1"));
  CHECK(SameMap(maps[1], 97, "speex", 16000, 1, "vbr=on"));
  CHECK(SameMap(maps[4], 101, "telephone-event", 48000, 1));
  CHECK(SameMap(maps[5], 100, "telephone-event", 8000, 1));

  auto video = sdp.findMedia("video");
  REQUIRE(video == 1u);
  auto videoMaps = sdp.media[*video].rtpMaps();
  REQUIRE(videoMaps.size() == 2);
  CHECK(SameMap(videoMaps[0], 103, "VP8", 90000, 1));
  CHECK(
      SameMap(videoMaps[1], 99, "H264", 90000, 1, "profile-level-id=42801F; packetization-mode=1"));
  CHECK(sdp.rtpAddress(*video)->str() == "203.0.113.7:9078");
}

TEST_CASE("Zoiper offer: two telephone-events, rtcp-mux, static GSM") {
  SessionDescription sdp = MustParse(kZoiperOffer);
  const MediaDescription& audio = sdp.media.at(0);
  CHECK(audio.findAttribute("rtcp-mux") != nullptr);
  auto maps = audio.rtpMaps();
  REQUIRE(maps.size() == 7);
  CHECK(SameMap(maps[0], 106, "opus", 48000, 2,
                "sprop-maxcapturerate=16000; minptime=20; useinbandfec=1"));
  CHECK(SameMap(maps[2], 98, "telephone-event", 48000, 1, "0-16"));
  CHECK(SameMap(maps[6], 3, "GSM", 8000, 1));
}

TEST_CASE("T.38 image/udptl stream") {
  SessionDescription sdp = MustParse(kT38Offer);
  auto image = sdp.findMedia("image");
  REQUIRE(image.has_value());
  const MediaDescription& fax = sdp.media[*image];
  CHECK(fax.protocol == "udptl");
  CHECK(fax.formats == std::vector<std::string>{"t38"});
  CHECK(fax.rtpMaps().empty());
  CHECK(fax.findAttribute("T38FaxVersion")->value == "0");
  CHECK(fax.findAttribute("T38MaxBitRate")->value == "14400");
  CHECK(fax.findAttribute("T38FaxFillBitRemoval")->hasValue == false);
  CHECK(fax.findAttribute("T38FaxUdpEC")->value == "t38UDPRedundancy");
  CHECK(sdp.rtpAddress(*image)->str() == "198.51.100.20:4000");
  CHECK_FALSE(sdp.findMedia("audio").has_value());
}

TEST_CASE("IPv6 connection data") {
  SessionDescription sdp = MustParse(kIpv6Offer);
  CHECK(sdp.origin.addressType == "IP6");
  auto where = sdp.rtpAddress(0);
  REQUIRE(where.ok());
  CHECK(where->isV6());
  CHECK(where->ip() == "2001:db8::10");
  CHECK(where->port() == 5004);
  CHECK(where->str() == "[2001:db8::10]:5004");
}

TEST_CASE("media-level c= wins over session-level; multicast ttl is ignored") {
  SessionDescription sdp = MustParse(
      WithMediaLine("m=audio 5000 RTP/AVP 0\r\nc=IN IP4 203.0.113.99\r\nm=audio 6000 RTP/AVP 0\r\n"
                    "c=IN IP4 233.252.0.1/127"));
  CHECK(sdp.rtpAddress(0)->str() == "203.0.113.99:5000");
  CHECK(sdp.rtpAddress(1)->str() == "233.252.0.1:6000");
  CHECK(sdp.media[1].connection->address == "233.252.0.1/127");
}

TEST_CASE("rtpAddress errors: host names, no c= at all, bad index") {
  SessionDescription named = MustParse(
      "v=0\r\no=- 1 1 IN IP4 pbx.example.com\r\ns=-\r\nc=IN IP4 pbx.example.com\r\nt=0 0\r\n"
      "m=audio 5000 RTP/AVP 0\r\n");
  auto where = named.rtpAddress(0);
  REQUIRE_FALSE(where.ok());
  CHECK(where.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(where.status().message().find("pbx.example.com") != std::string::npos);
  CHECK(where.status().message().find("not a numeric") != std::string::npos);

  SessionDescription bare = MustParse(
      "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n"
      "m=audio 5000 RTP/AVP 0\r\n");
  CHECK(bare.rtpAddress(0).status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(bare.rtpAddress(7).status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("hold variants and effective direction") {
  SUBCASE("sendonly on the stream") {
    SessionDescription sdp = MustParse(WithMediaLine("m=audio 5000 RTP/AVP 0\r\na=sendonly"));
    CHECK(sdp.effectiveDirection(0) == MediaDirection::kSendOnly);
  }
  SUBCASE("inactive on the stream") {
    SessionDescription sdp = MustParse(WithMediaLine("m=audio 5000 RTP/AVP 0\r\na=inactive"));
    CHECK(sdp.effectiveDirection(0) == MediaDirection::kInactive);
  }
  SUBCASE("session-level recvonly applies to a stream without its own") {
    SessionDescription sdp = MustParse(
        "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\na=recvonly\r\n"
        "m=audio 5000 RTP/AVP 0\r\nm=video 5002 RTP/AVP 96\r\na=sendrecv\r\n");
    CHECK(sdp.effectiveDirection(0) == MediaDirection::kRecvOnly);
    CHECK(sdp.effectiveDirection(1) == MediaDirection::kSendRecv);
    CHECK_FALSE(sdp.media[0].direction().has_value());
  }
  SUBCASE("RFC 2543 hold: c=0.0.0.0 at session level") {
    SessionDescription sdp = MustParse(
        "v=0\r\no=- 1 2 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n"
        "m=audio 5000 RTP/AVP 0\r\na=sendrecv\r\n");
    CHECK(sdp.effectiveDirection(0) == MediaDirection::kInactive);
  }
  SUBCASE("c=0.0.0.0 on the stream only") {
    SessionDescription sdp =
        MustParse(WithMediaLine("m=audio 5000 RTP/AVP 0\r\nc=IN IP4 0.0.0.0\r\nm=audio 5002 "
                                "RTP/AVP 0"));
    CHECK(sdp.effectiveDirection(0) == MediaDirection::kInactive);
    CHECK(sdp.effectiveDirection(1) == MediaDirection::kSendRecv);
  }
  SUBCASE("no direction anywhere") {
    SessionDescription sdp = MustParse(WithMediaLine("m=audio 5000 RTP/AVP 0"));
    CHECK(sdp.effectiveDirection(0) == MediaDirection::kSendRecv);
    CHECK(sdp.effectiveDirection(99) == MediaDirection::kSendRecv);
  }
}

TEST_CASE("setDirection replaces in place and removes duplicates") {
  SessionDescription sdp = MustParse(
      WithMediaLine("m=audio 5000 RTP/AVP 0\r\na=ptime:20\r\na=sendrecv\r\na=x\r\na=recvonly"));
  MediaDescription& audio = sdp.media[0];
  audio.setDirection(MediaDirection::kSendOnly);
  REQUIRE(audio.attributes.size() == 3);
  CHECK(audio.attributes[1].name == "sendonly");
  CHECK(audio.attributes[2].name == "x");
  CHECK(audio.direction() == MediaDirection::kSendOnly);

  audio.removeAttributes("sendonly");
  CHECK_FALSE(audio.direction().has_value());
  audio.setDirection(MediaDirection::kInactive);
  CHECK(audio.attributes.back().name == "inactive");
  audio.removeAttributes("ptime");
  CHECK(audio.findAttribute("ptime") == nullptr);
}

TEST_CASE("MediaDirectionName") {
  CHECK(std::string(pbx::sip::MediaDirectionName(MediaDirection::kSendRecv)) == "sendrecv");
  CHECK(std::string(pbx::sip::MediaDirectionName(MediaDirection::kSendOnly)) == "sendonly");
  CHECK(std::string(pbx::sip::MediaDirectionName(MediaDirection::kRecvOnly)) == "recvonly");
  CHECK(std::string(pbx::sip::MediaDirectionName(MediaDirection::kInactive)) == "inactive");
}

TEST_CASE("setConnectionAddress rewrites origin, session c= and existing media c= lines") {
  SessionDescription sdp = MustParse(kLinphoneOffer);
  sdp.setConnectionAddress("2001:db8::7");
  CHECK(sdp.origin.addressType == "IP6");
  CHECK(sdp.origin.address == "2001:db8::7");
  CHECK(sdp.connection->addressType == "IP6");
  CHECK(sdp.connection->address == "2001:db8::7");
  for (const MediaDescription& m : sdp.media) {
    CHECK(m.connection->addressType == "IP6");
    CHECK(m.connection->address == "2001:db8::7");
  }
  CHECK(sdp.rtpAddress(0)->str() == "[2001:db8::7]:7078");

  SessionDescription bare = MustParse(
      "v=0\r\no=- 1 1 IN IP6 ::1\r\ns=-\r\nt=0 0\r\n"
      "m=audio 5000 RTP/AVP 0\r\n");
  bare.setConnectionAddress("127.0.0.1");
  REQUIRE(bare.connection.has_value());
  CHECK(bare.connection->networkType == "IN");
  CHECK(bare.connection->addressType == "IP4");
  CHECK(bare.origin.addressType == "IP4");
  CHECK_FALSE(bare.media[0].connection.has_value());
  CHECK(bare.rtpAddress(0)->str() == "127.0.0.1:5000");
}

TEST_CASE("serialize writes the canonical order with CRLF") {
  SessionDescription sdp = MustParse(
      "v=0\n"
      "o=- 7 8 IN IP4 192.0.2.1\n"
      "s=call\n"
      "i=dropped\n"
      "t=0 0\n"
      "a=tool:x\n"
      "b=CT:128\n"  // out of order in the input, canonical in the output
      "c=IN IP4 192.0.2.1\n"
      "m=audio 5000/2 RTP/AVP 0 101\n"
      "a=rtpmap:101 telephone-event/8000\n"
      "b=AS:64\n"
      "c=IN IP4 192.0.2.2\n");
  CHECK(sdp.serialize() ==
        "v=0\r\n"
        "o=- 7 8 IN IP4 192.0.2.1\r\n"
        "s=call\r\n"
        "c=IN IP4 192.0.2.1\r\n"
        "b=CT:128\r\n"
        "t=0 0\r\n"
        "a=tool:x\r\n"
        "m=audio 5000/2 RTP/AVP 0 101\r\n"
        "c=IN IP4 192.0.2.2\r\n"
        "b=AS:64\r\n"
        "a=rtpmap:101 telephone-event/8000\r\n");

  SessionDescription built;
  built.sessionName.clear();
  built.timing.clear();
  MediaDescription audio;
  audio.media = "audio";
  audio.port = 4000;
  audio.protocol = "RTP/AVP";
  audio.formats = {"0"};
  audio.setDirection(MediaDirection::kRecvOnly);
  built.media.push_back(audio);
  CHECK(built.serialize() ==
        "v=0\r\no=- 0 0 IN IP4 0.0.0.0\r\ns= \r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"
        "a=recvonly\r\n");
}

TEST_CASE("round trip: Parse(serialize(x)) == x for every sample") {
  for (const char* offer : kAllOffers) {
    CAPTURE(offer);
    SessionDescription first = MustParse(offer);
    std::string text = first.serialize();
    SessionDescription second = MustParse(text);
    CHECK(Same(first, second));
    CHECK(second.serialize() == text);
  }
}

TEST_CASE("tolerated input: LF, trailing whitespace, no final newline, unknown lines") {
  SessionDescription sdp = MustParse(
      "v=0  \n"
      "o=- 1 1 IN IP4 192.0.2.1\t\r\n"
      "s=-\n"
      "i=session info\n"
      "u=http://example.com/\n"
      "e=ops@example.com\n"
      "p=+1 555 0100\n"
      "c=IN IP4 192.0.2.1 \n"
      "t=3034423619 3042462419\n"
      "r=7d 1h 0 25h\n"
      "z=2882844526 -1h\n"
      "t=0 0\n"
      "k=prompt\n"
      "x=something new\n"
      "\n"
      "m=audio 5000 RTP/AVP 0\n"
      "i=audio info\n"
      "k=clear:key\n"
      "y=unknown media line\n"
      "a=sendonly   ");
  CHECK(sdp.timing == std::vector<std::string>{"3034423619 3042462419", "0 0"});
  CHECK(sdp.connection->address == "192.0.2.1");
  REQUIRE(sdp.media.size() == 1);
  REQUIRE(sdp.media[0].attributes.size() == 1);
  CHECK(sdp.media[0].attributes[0].name == "sendonly");
  CHECK(sdp.effectiveDirection(0) == MediaDirection::kSendOnly);

  SessionDescription noTiming = MustParse("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-");
  CHECK(noTiming.timing == std::vector<std::string>{"0 0"});
  CHECK(noTiming.media.empty());
}

TEST_CASE("errors name the line number and its content") {
  SUBCASE("missing v=") {
    std::string message = ParseError("o=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n");
    CHECK(message.find("line 1") != std::string::npos);
    CHECK(message.find("v=") != std::string::npos);
    CHECK(ParseError("").find("v=") != std::string::npos);
    CHECK(ParseError("\r\n\r\n").find("v=") != std::string::npos);
  }
  SUBCASE("line without = in the second column") {
    std::string message = ParseError(WithMediaLine("m=audio 5000 RTP/AVP 0\r\nhello world"));
    CHECK(message.find("line 7") != std::string::npos);
    CHECK(message.find("hello world") != std::string::npos);
    ParseError("v=0\r\n a=indented\r\n");
    ParseError("v=0\r\nx\r\n");
    ParseError("v=0\r\n1=digit type\r\n");
  }
  SUBCASE("bad m= lines") {
    for (const char* line :
         {"m=audio abc RTP/AVP 0", "m=audio 65536 RTP/AVP 0", "m=audio -1 RTP/AVP 0",
          "m=audio 99999999999999999999 RTP/AVP 0", "m=audio 5000/ RTP/AVP 0",
          "m=audio 5000/x RTP/AVP 0", "m=audio 5000/0 RTP/AVP 0", "m=audio /2 RTP/AVP 0",
          "m=audio 5000/2/3 RTP/AVP 0", "m=audio 5000 RTP/AVP", "m=audio 5000", "m=audio", "m="}) {
      CAPTURE(line);
      std::string message = ParseError(WithMediaLine(line));
      CHECK(message.find("line 6") != std::string::npos);
      CHECK(message.find(line) != std::string::npos);
    }
  }
  SUBCASE("c= with too few fields") {
    CHECK(ParseError("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4\r\n").find("line 4") !=
          std::string::npos);
    CHECK(ParseError(WithMediaLine("m=audio 5000 RTP/AVP 0\r\nc=IN")).find("line 7") !=
          std::string::npos);
  }
  SUBCASE("o= with too few fields") {
    std::string message = ParseError("v=0\r\no=- 1 1 IN IP4\r\ns=-\r\n");
    CHECK(message.find("line 2") != std::string::npos);
    CHECK(message.find("o=- 1 1 IN IP4") != std::string::npos);
  }
  SUBCASE("bad version, duplicate v=, nameless attribute") {
    ParseError("v=x\r\n");
    CHECK(ParseError("v=1\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n").find("only v=0") !=
          std::string::npos);
    ParseError("v=0\r\nv=0\r\n");
    ParseError("v=0\r\na=\r\n");
    ParseError("v=0\r\na=:value\r\n");
    ParseError("v=0\r\na=bare\rcarriage return\r\n");
    std::string nul = "v=0\r\na=nul";
    nul += '\0';
    ParseError(nul + "inside\r\n");
  }
  SUBCASE("long and binary lines are quoted truncated and escaped") {
    std::string longLine = "m=audio x" + std::string(500, 'A') + std::string("\x01\x02", 2);
    std::string message = ParseError("v=0\r\n" + longLine);
    CHECK(message.size() < 200);
    CHECK(message.find("...") != std::string::npos);
    std::string binary = ParseError(std::string("v=0\r\n\x01\x7f\xff", 8));
    CHECK(binary.find("\\x01") != std::string::npos);
  }
}

TEST_CASE("resource limits") {
  std::string big = "v=0\r\n" + std::string(70 * 1024, 'a');
  CHECK(ParseError(big).find("limit") != std::string::npos);

  std::string manyMedia = WithMediaLine("m=audio 5000 RTP/AVP 0");
  for (int i = 0; i < 64; ++i) manyMedia += "m=audio 5000 RTP/AVP 0\r\n";
  CHECK(ParseError(manyMedia).find("m= lines") != std::string::npos);
  std::string sixtyFour = WithMediaLine("m=audio 5000 RTP/AVP 0");
  for (int i = 0; i < 63; ++i) sixtyFour += "m=audio 5000 RTP/AVP 0\r\n";
  CHECK(MustParse(sixtyFour).media.size() == 64);

  std::string manyAttributes = WithMediaLine("m=audio 5000 RTP/AVP 0");
  for (int i = 0; i < 1025; ++i) manyAttributes += "a=x\r\n";
  CHECK(ParseError(manyAttributes).find("attributes") != std::string::npos);

  std::string manyBandwidths = WithMediaLine("m=audio 5000 RTP/AVP 0");
  for (int i = 0; i < 300; ++i) manyBandwidths += "b=AS:1\r\n";
  ParseError(manyBandwidths);
}

TEST_CASE("random mutations of valid offers never crash and round-trip when accepted") {
  std::mt19937 random(20240611);  // fixed: failures must reproduce
  static constexpr char kAlphabet[] = "=/: \t\r\n0123456789amvcotsbIP4.-x\0\xff";
  const std::string alphabet(kAlphabet, sizeof kAlphabet - 1);
  int accepted = 0;
  int rejected = 0;
  for (int iteration = 0; iteration < 20000; ++iteration) {
    std::string text = kAllOffers[random() % std::size(kAllOffers)];
    int mutations = 1 + static_cast<int>(random() % 6);
    for (int m = 0; m < mutations && !text.empty(); ++m) {
      size_t at = random() % text.size();
      switch (random() % 6) {
        case 0:
          text[at] = alphabet[random() % alphabet.size()];
          break;
        case 1:
          text.insert(at, 1, alphabet[random() % alphabet.size()]);
          break;
        case 2:
          text.erase(at, 1 + random() % 12);
          break;
        case 3:
          text.resize(at);
          break;
        case 4:
          text[at] = static_cast<char>(random() & 0xff);
          break;
        case 5: {
          size_t length = std::min<size_t>(1 + random() % 40, text.size() - at);
          text.insert(random() % text.size(), text.substr(at, length));
          break;
        }
      }
    }
    auto parsed = SessionDescription::Parse(text);
    if (!parsed.ok()) {
      CHECK(parsed.status().code() == absl::StatusCode::kInvalidArgument);
      ++rejected;
      continue;
    }
    ++accepted;
    for (size_t i = 0; i < parsed->media.size() + 1; ++i) {
      (void)parsed->rtpAddress(i);
      (void)parsed->effectiveDirection(i);
      if (i < parsed->media.size()) (void)parsed->media[i].rtpMaps();
    }
    auto again = SessionDescription::Parse(parsed->serialize());
    REQUIRE_MESSAGE(again.ok(), again.status().ToString());
    CHECK_MESSAGE(Same(*parsed, *again), absl::CHexEscape(text));
  }
  CHECK(accepted > 100);
  CHECK(rejected > 100);
}
