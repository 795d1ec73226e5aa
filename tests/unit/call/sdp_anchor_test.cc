#include "lib/call/sdp_anchor.h"
#include "lib/call/codec_policy.h"

#include <doctest/doctest.h>

TEST_CASE("anchoring points audio at the relay and disables other streams") {
  auto sdp = pbx::sip::SessionDescription::Parse(
      "v=0\r\no=phone 5 5 IN IP4 10.0.0.5\r\ns=call\r\nc=IN IP4 10.0.0.5\r\nt=0 0\r\n"
      "m=audio 4000 RTP/AVP 0 8\r\na=rtcp:4001\r\na=candidate:1 1 UDP 1 10.0.0.5 4000 typ host\r\n"
      "m=video 5000 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n");
  REQUIRE(sdp.ok());
  pbx::call::LegSdp leg;
  auto local = *pbx::SocketAddress::Parse("127.0.0.1", 20000);
  std::string out = leg.anchor(*sdp, local);
  auto parsed = pbx::sip::SessionDescription::Parse(out);
  REQUIRE(parsed.ok());
  CHECK(parsed->origin.username == "pbxkit");
  CHECK(parsed->origin.address == "127.0.0.1");
  CHECK(*parsed->rtpAddress(0) == local);
  CHECK(parsed->media[1].port == 0);
  CHECK(out.find("10.0.0.5") == std::string::npos);
  CHECK(out.find("a=rtcp") == std::string::npos);
  CHECK(out.find("candidate") == std::string::npos);

  // Same content: same version. Changed content: version goes up.
  CHECK(leg.anchor(*sdp, local) == out);
  auto held = *sdp;
  held.media[0].setDirection(pbx::sip::MediaDirection::kSendOnly);
  auto changed = pbx::sip::SessionDescription::Parse(leg.anchor(held, local));
  CHECK(changed->origin.sessionVersion != parsed->origin.sessionVersion);
  CHECK(changed->origin.sessionId == parsed->origin.sessionId);
}

namespace {

// An offer from a phone that says everything it can: its software, its CNAME and stream ids,
// ICE, BUNDLE, rtcp-mux, header extensions and vendor attributes beside the codecs.
constexpr const char* kChattyOffer =
    "v=0\r\n"
    "o=101 3344 3345 IN IP4 10.0.0.5\r\n"
    "s=Talk to Alice\r\n"
    "i=a call from the kitchen phone\r\n"
    "u=http://alice.example/\r\n"
    "e=alice@example.com\r\n"
    "p=+1 555 0101\r\n"
    "c=IN IP4 10.0.0.5\r\n"
    "b=AS:80\r\n"
    "t=0 0\r\n"
    "a=tool:Linphonec/5.1.65 (belle-sip/5.1.64)\r\n"
    "a=group:BUNDLE 0\r\n"
    "a=msid-semantic: WMS alice-stream\r\n"
    "a=ice-options:trickle\r\n"
    "a=extmap-allow-mixed\r\n"
    "a=record:off\r\n"
    "a=fingerprint:sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB\r\n"
    "a=setup:actpass\r\n"
    "m=audio 4000 RTP/SAVPF 96 0 101\r\n"
    "b=TIAS:64000\r\n"
    "a=rtpmap:96 opus/48000/2\r\n"
    "a=fmtp:96 useinbandfec=1\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-16\r\n"
    "a=ptime:20\r\n"
    "a=maxptime:40\r\n"
    "a=sendrecv\r\n"
    "a=rtcp:4001 IN IP4 10.0.0.5\r\n"
    "a=rtcp-mux\r\n"
    "a=rtcp-rsize\r\n"
    "a=rtcp-fb:* trr-int 1000\r\n"
    "a=rtcp-fb:96 nack\r\n"
    "a=rtcp-xr:rcvr-rtt=all:10000 stat-summary=loss,dup,jitt,TTL voip-metrics\r\n"
    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n"
    "a=label:alice-mic\r\n"
    "a=mid:0\r\n"
    "a=msid:alice-stream alice-audio\r\n"
    "a=ssrc:1234 cname:sip:101@10.0.0.5\r\n"
    "a=ssrc:1234 msid:alice-stream alice-audio\r\n"
    "a=ssrc-group:FID 1234 5678\r\n"
    "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
    "a=extmap:2 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
    "a=ice-ufrag:F7gI\r\n"
    "a=ice-pwd:x9cml/YzichV2+XlhiMu8g\r\n"
    "a=candidate:1 1 UDP 2130706431 10.0.0.5 4000 typ host\r\n"
    "a=end-of-candidates\r\n"
    "a=zrtp-hash:1.10 fe30efd02423cb054e50efd0248742ac7a52c8f91bc2df881ae642c371ba46df\r\n"
    "a=x-vendor-phone-model:Acme 3000 SN 0042\r\n"
    "m=video 5000 RTP/AVP 96\r\n"
    "a=rtpmap:96 VP8/90000\r\n"
    "a=label:alice-camera\r\n"
    "a=ssrc:99 cname:sip:101@10.0.0.5\r\n";

}  // namespace

TEST_CASE("each leg's SDP is pbxd's own: nothing of the other party passes") {
  auto offer = pbx::sip::SessionDescription::Parse(kChattyOffer);
  REQUIRE(offer.ok());
  pbx::call::LegSdp leg;
  auto local = *pbx::SocketAddress::Parse("127.0.0.1", 20000);
  std::string out = leg.anchor(*offer, local);
  INFO(out);
  auto parsed = pbx::sip::SessionDescription::Parse(out);
  REQUIRE(parsed.ok());

  SUBCASE("the session is ours") {
    CHECK(parsed->origin.username == "pbxkit");
    CHECK(parsed->sessionName == "pbxkit");
    for (const char* line : {"\r\ni=", "\r\nu=", "\r\ne=", "\r\np="})
      CHECK_MESSAGE(out.find(line) == std::string::npos, line);
  }

  SUBCASE("nothing names the other phone, its user, its software or its addresses") {
    for (const char* trace : {"sip:101@", "o=101", "Alice", "alice", "kitchen", "Linphone",
                              "belle-sip", "Acme", "10.0.0.5", "cname", "1234"})
      CHECK_MESSAGE(out.find(trace) == std::string::npos, trace);
    for (const char* attribute : {"tool",
                                  "label",
                                  "ssrc",
                                  "ssrc-group",
                                  "msid",
                                  "msid-semantic",
                                  "mid",
                                  "group",
                                  "extmap",
                                  "extmap-allow-mixed",
                                  "rtcp",
                                  "rtcp-mux",
                                  "rtcp-rsize",
                                  "rtcp-xr",
                                  "record",
                                  "ice-options",
                                  "ice-ufrag",
                                  "ice-pwd",
                                  "candidate",
                                  "end-of-candidates",
                                  "x-vendor-phone-model"}) {
      CHECK_MESSAGE(out.find(std::string("a=") + attribute + ":") == std::string::npos, attribute);
      CHECK_MESSAGE(out.find(std::string("a=") + attribute + "\r\n") == std::string::npos,
                    attribute);
    }
  }

  SUBCASE("what describes the relayed audio stays, and still parses as the same codecs") {
    REQUIRE(parsed->media.size() == 2);
    const auto& audio = parsed->media[0];
    CHECK(*parsed->rtpAddress(0) == local);
    CHECK(audio.protocol == "RTP/SAVPF");
    CHECK(audio.formats == offer->media[0].formats);
    auto maps = audio.rtpMaps();
    REQUIRE(maps.size() == 3);
    CHECK(maps[0].encoding == "opus");
    CHECK(maps[0].channels == 2);
    CHECK(maps[0].fmtp == "useinbandfec=1");
    CHECK(maps[2].encoding == "telephone-event");
    CHECK(maps[2].fmtp == "0-16");
    CHECK(audio.findAttribute("ptime")->value == "20");
    CHECK(audio.findAttribute("maxptime")->value == "40");
    CHECK(audio.direction() == pbx::sip::MediaDirection::kSendRecv);
    // SDES keys stay on their leg: pbxkit terminates SRTP and keys each leg itself.
    CHECK(audio.findAttribute("crypto") == nullptr);
    CHECK(out.find("PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR") == std::string::npos);
    CHECK(audio.findAttribute("rtcp-fb") != nullptr);
    CHECK(audio.findAttribute("zrtp-hash") != nullptr);
    CHECK(audio.bandwidths == offer->media[0].bandwidths);
    // DTLS-SRTP's keys at session level pass like SDES ones: the relay does not touch media.
    CHECK(out.find("a=fingerprint:sha-256 4A:AD") != std::string::npos);
    CHECK(out.find("a=setup:actpass") != std::string::npos);
    // The video stream stays disabled, its attributes cleaned all the same.
    CHECK(parsed->media[1].port == 0);
    CHECK(parsed->media[1].attributes.size() == 1);
  }
}

TEST_CASE("pbxkit's own offer lists every codec it transcodes, and telephone-event") {
  pbx::call::LegSdp leg;
  auto local = *pbx::SocketAddress::Parse("::1", 20002);
  std::string out = leg.anchor(pbx::call::OwnOffer(), local);
  auto parsed = pbx::sip::SessionDescription::Parse(out);
  REQUIRE(parsed.ok());
  CHECK(parsed->sessionName == "pbxkit");
  CHECK(*parsed->rtpAddress(0) == local);
  auto maps = parsed->media[0].rtpMaps();
  REQUIRE(maps.size() == 5);
  CHECK(maps[0].encoding == "opus");
  CHECK(maps[0].clockRate == 48000);
  CHECK(maps[0].channels == 2);
  CHECK(maps[1].encoding == "G722");
  CHECK(maps[2].encoding == "PCMU");
  CHECK(maps[3].encoding == "PCMA");
  CHECK(maps[4].encoding == "telephone-event");
  CHECK(maps[4].fmtp == "0-16");
  CHECK(parsed->media[0].direction() == pbx::sip::MediaDirection::kSendRecv);
}
