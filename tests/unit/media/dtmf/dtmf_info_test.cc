#include "lib/media/dtmf/dtmf_info.h"

#include <doctest/doctest.h>

#include <string>

namespace pbx::media::internal {
namespace {

using std::chrono::milliseconds;

TEST_CASE("dtmf-relay bodies as phones send them") {
  auto digit = ParseDtmfRelay("Signal=5\r\nDuration=160\r\n");
  REQUIRE(digit);
  CHECK(digit->digit == '5');
  CHECK(digit->duration == milliseconds(160));
  CHECK(digit->volume == kDefaultDtmfVolume);

  digit = ParseDtmfRelay("signal = #\nduration= 250\n");  // case, spaces, LF only
  REQUIRE(digit);
  CHECK(digit->digit == '#');
  CHECK(digit->duration == milliseconds(250));

  digit = ParseDtmfRelay("Duration=300\r\nSignal=*\r\n");  // any order
  REQUIRE(digit);
  CHECK(digit->digit == '*');
  CHECK(digit->duration == milliseconds(300));

  digit = ParseDtmfRelay("Signal=d");  // no Duration, no line end, lower-case key
  REQUIRE(digit);
  CHECK(digit->digit == 'D');
  CHECK(digit->duration == kDefaultInfoDuration);

  digit = ParseDtmfRelay("Signal=11\r\nDuration=abc\r\n");  // event code, unreadable duration
  REQUIRE(digit);
  CHECK(digit->digit == '#');
  CHECK(digit->duration == kDefaultInfoDuration);

  digit = ParseDtmfRelay("Signal=1\r\nDuration=99999999999\r\n");
  REQUIRE(digit);
  CHECK(digit->duration == kMaxInfoDuration);
}

TEST_CASE("dtmf-relay garbage gives nothing") {
  CHECK_FALSE(ParseDtmfRelay(""));
  CHECK_FALSE(ParseDtmfRelay("\r\n\r\n"));
  CHECK_FALSE(ParseDtmfRelay("Duration=160\r\n"));
  CHECK_FALSE(ParseDtmfRelay("Signal=\r\nDuration=160\r\n"));
  CHECK_FALSE(ParseDtmfRelay("Signal=X\r\n"));
  CHECK_FALSE(ParseDtmfRelay("Signal=16\r\n"));  // flash is not a key
  CHECK_FALSE(ParseDtmfRelay("Signal=55\r\n"));
  CHECK_FALSE(ParseDtmfRelay("Signal=-1\r\n"));
  CHECK_FALSE(ParseDtmfRelay("hello world"));
  CHECK_FALSE(ParseDtmfRelay(std::string("Signal=\0", 8)));
}

TEST_CASE("application/dtmf bodies") {
  auto digit = ParseDtmfBody("7");
  REQUIRE(digit);
  CHECK(digit->digit == '7');
  CHECK(digit->duration == kDefaultInfoDuration);
  CHECK(ParseDtmfBody(" # \r\n")->digit == '#');
  CHECK(ParseDtmfBody("10")->digit == '*');
  CHECK(ParseDtmfBody("b")->digit == 'B');
  CHECK(ParseDtmfBody("Signal=3\r\nDuration=90\r\n")->duration == milliseconds(90));
  CHECK_FALSE(ParseDtmfBody(""));
  CHECK_FALSE(ParseDtmfBody("55"));
  CHECK_FALSE(ParseDtmfBody("E"));
  CHECK_FALSE(ParseDtmfBody("12a"));
}

TEST_CASE("INFO bodies are parsed by content type") {
  CHECK(ParseDtmfInfo("application/dtmf-relay", "Signal=9\r\n")->digit == '9');
  CHECK(ParseDtmfInfo("Application/DTMF-Relay; charset=utf-8", "Signal=9\r\n")->digit == '9');
  CHECK(ParseDtmfInfo("application/dtmf", "4")->digit == '4');
  CHECK_FALSE(ParseDtmfInfo("application/dtmf-relay", "4"));
  CHECK_FALSE(ParseDtmfInfo("text/plain", "Signal=9\r\n"));
  CHECK_FALSE(ParseDtmfInfo("application/media_control+xml", "<xml/>"));
}

TEST_CASE("INFO bodies are formatted and parse back") {
  const DtmfDigit digit{.digit = 'A', .duration = milliseconds(160), .volume = 10};
  CHECK(FormatDtmfRelay(digit) == "Signal=A\r\nDuration=160\r\n");
  CHECK(FormatDtmfBody(digit) == "A");
  for (char key : std::string("0123456789*#ABCD")) {
    const DtmfDigit sent{.digit = key, .duration = milliseconds(220), .volume = 10};
    auto relay = ParseDtmfInfo(kDtmfRelayContentType, FormatDtmfRelay(sent));
    REQUIRE(relay);
    CHECK(relay->digit == key);
    CHECK(relay->duration == milliseconds(220));
    auto plain = ParseDtmfInfo(kDtmfContentType, FormatDtmfBody(sent));
    REQUIRE(plain);
    CHECK(plain->digit == key);
  }
}

}  // namespace
}  // namespace pbx::media::internal
