// Replaces (RFC 3891) as pbxd reads it off the network: the header of an INVITE, and the header
// field of a Refer-To URI (RFC 3515 2.1, "sip:b@host?Replaces=call%40id%3Bto-tag%3D..."), where
// a transferor names the dialog its transferee is to take over.
#include "lib/sip/sofia/sofia_convert.h"

#include <doctest/doctest.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/su_alloc.h>

#include <optional>
#include <string>

using pbx::sip::DialogId;
using pbx::sip::Replaces;
using pbx::sip::internal::ParseReplaces;
using pbx::sip::internal::ReplacesOfUriHeaders;
using pbx::sip::internal::ToReplaces;

namespace {

void CheckReplaces(const std::optional<Replaces>& got, const std::string& callId,
                   const std::string& toTag, const std::string& fromTag, bool earlyOnly = false) {
  REQUIRE(got.has_value());
  CHECK(got->callId == callId);
  CHECK(got->toTag == toTag);
  CHECK(got->fromTag == fromTag);
  CHECK(got->earlyOnly == earlyOnly);
}

}  // namespace

TEST_CASE("ParseReplaces reads a Replaces value: the Call-ID, both tags, early-only") {
  CheckReplaces(ParseReplaces("98732@sip.example.com;to-tag=r33th4x0r;from-tag=ff87ff"),
                "98732@sip.example.com", "r33th4x0r", "ff87ff");
  // the parameters in any order, names in any case, whitespace around the parts
  CheckReplaces(ParseReplaces(" abc@host ; From-Tag = 2 ;TO-TAG=1 "), "abc@host", "1", "2");
  CheckReplaces(ParseReplaces("abc;to-tag=1;from-tag=2;early-only"), "abc", "1", "2", true);
  CheckReplaces(ParseReplaces("abc;early-only;to-tag=1;from-tag=2"), "abc", "1", "2", true);
  // parameters it does not know are passed over
  CheckReplaces(ParseReplaces("abc;x-vendor=7;to-tag=1;from-tag=2"), "abc", "1", "2");
}

TEST_CASE("ParseReplaces refuses a value that names no dialog") {
  CHECK_FALSE(ParseReplaces("").has_value());
  CHECK_FALSE(ParseReplaces(";to-tag=1;from-tag=2").has_value());    // no Call-ID
  CHECK_FALSE(ParseReplaces("abc").has_value());                     // no tags
  CHECK_FALSE(ParseReplaces("abc;to-tag=1").has_value());            // no from-tag
  CHECK_FALSE(ParseReplaces("abc;from-tag=2").has_value());          // no to-tag
  CHECK_FALSE(ParseReplaces("abc;to-tag=;from-tag=2").has_value());  // an empty tag
  CHECK_FALSE(ParseReplaces("abc;to-tag;from-tag=2").has_value());   // a tag without a value
}

TEST_CASE("ReplacesOfUriHeaders decodes the Replaces field of a Refer-To URI's headers") {
  SUBCASE("escaped, as RFC 3515 writes it") {
    CheckReplaces(ReplacesOfUriHeaders("Replaces=12345%40192.168.118.3%3Bto-tag%3D12345%3Bfrom-"
                                       "tag%3D5FFE-3994"),
                  "12345@192.168.118.3", "12345", "5FFE-3994");
  }
  SUBCASE("escapes in lower case, and escaped characters a Call-ID may hold") {
    CheckReplaces(ReplacesOfUriHeaders("replaces=2%2f%2f%2fa%26b%3bto-tag%3dx%3bfrom-tag%3dy"),
                  "2///a&b", "x", "y");
  }
  SUBCASE("unescaped, as some phones send it") {
    CheckReplaces(ReplacesOfUriHeaders("Replaces=abc@host;to-tag=1;from-tag=2"), "abc@host", "1",
                  "2");
  }
  SUBCASE("early-only") {
    CheckReplaces(ReplacesOfUriHeaders("Replaces=abc%3Bto-tag%3D1%3Bfrom-tag%3D2%3Bearly-only"),
                  "abc", "1", "2", true);
  }
  SUBCASE("among other header fields") {
    CheckReplaces(ReplacesOfUriHeaders("Accept-Contact=x&Replaces=abc%3Bto-tag%3D1%3Bfrom-tag%3D2"
                                       "&Require=replaces"),
                  "abc", "1", "2");
  }
}

TEST_CASE("ReplacesOfUriHeaders gives nothing for headers without a usable Replaces") {
  CHECK_FALSE(ReplacesOfUriHeaders(nullptr).has_value());
  CHECK_FALSE(ReplacesOfUriHeaders("").has_value());
  CHECK_FALSE(ReplacesOfUriHeaders("Accept-Contact=x").has_value());
  CHECK_FALSE(ReplacesOfUriHeaders("Replaces").has_value());  // a field without a value
  CHECK_FALSE(ReplacesOfUriHeaders("Replaces=").has_value());
  SUBCASE("malformed escapes") {
    CHECK_FALSE(ReplacesOfUriHeaders("Replaces=abc%3Bto-tag%3D1%3Bfrom-tag%3D2%").has_value());
    CHECK_FALSE(ReplacesOfUriHeaders("Replaces=abc%3Bto-tag%3D1%3Bfrom-tag%3D2%4").has_value());
    CHECK_FALSE(ReplacesOfUriHeaders("Replaces=abc%zz%3Bto-tag%3D1%3Bfrom-tag%3D2").has_value());
    CHECK_FALSE(ReplacesOfUriHeaders("Replaces=abc%3Gto-tag%3D1%3Bfrom-tag%3D2").has_value());
  }
  SUBCASE("missing tags") {
    CHECK_FALSE(ReplacesOfUriHeaders("Replaces=abc").has_value());
    CHECK_FALSE(ReplacesOfUriHeaders("Replaces=abc%3Bto-tag%3D1").has_value());
    CHECK_FALSE(ReplacesOfUriHeaders("Replaces=abc%3Bfrom-tag%3D2").has_value());
  }
}

TEST_CASE("ToReplaces takes the Replaces header sofia parsed, whole or not at all") {
  su_home_t home[1] = {SU_HOME_INIT(home)};
  CheckReplaces(ToReplaces(sip_replaces_make(home, "abc@host;to-tag=1;from-tag=2")), "abc@host",
                "1", "2");
  CheckReplaces(ToReplaces(sip_replaces_make(home, "abc;from-tag=2;to-tag=1;early-only")), "abc",
                "1", "2", true);
  CHECK_FALSE(ToReplaces(sip_replaces_make(home, "abc;to-tag=1")).has_value());
  CHECK_FALSE(ToReplaces(nullptr).has_value());
  su_home_deinit(home);
}

TEST_CASE("a Replaces names a dialog by the receiver's tags: to-tag is its own") {
  // pbxd's dialog: its own tag "pbx", the phone's "ph". A Replaces sent to pbxd names pbxd's tag
  // as to-tag (RFC 3891 3: compared to the local tag), whichever side started the dialog.
  DialogId dialog{"abc@host", "pbx", "ph"};
  CHECK(dialog.matches(Replaces{"abc@host", "pbx", "ph", false}));
  CHECK_FALSE(dialog.matches(Replaces{"abc@host", "ph", "pbx", false}));  // the phone's view
  CHECK_FALSE(dialog.matches(Replaces{"abc@other", "pbx", "ph", false}));
}
