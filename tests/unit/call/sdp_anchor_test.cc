#include "lib/call/sdp_anchor.h"

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
