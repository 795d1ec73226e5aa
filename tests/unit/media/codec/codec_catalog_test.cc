// The SDP facts about each codec, and Opus' fmtp both ways, including what a careless or
// hostile peer might send.
#include "lib/media/codec/codec_catalog.h"

#include <doctest/doctest.h>

#include <random>
#include <string>

namespace pbx::media::internal {
namespace {

TEST_CASE("the catalog lists opus, G722, PCMU, PCMA in that order with their rtpmap facts") {
  auto codecs = SupportedCodecs();
  REQUIRE(codecs.size() == 4);
  CHECK(codecs[0].name == "opus");
  CHECK(codecs[1].name == "G722");
  CHECK(codecs[2].name == "PCMU");
  CHECK(codecs[3].name == "PCMA");

  const CodecInfo* opus = FindCodec("opus");
  REQUIRE(opus != nullptr);
  CHECK(opus->staticPayloadType == -1);
  CHECK(opus->rtpClockRate == 48000);
  CHECK(opus->channels == 2);
  CHECK(opus->defaultFmtp == "useinbandfec=1; stereo=0");

  const CodecInfo* g722 = FindCodec("G722");
  REQUIRE(g722 != nullptr);
  CHECK(g722->staticPayloadType == 9);
  CHECK(g722->rtpClockRate == 8000);
  CHECK(g722->channels == 1);
  CHECK(g722->defaultFmtp.empty());

  CHECK(FindCodec("PCMU")->staticPayloadType == 0);
  CHECK(FindCodec("PCMA")->staticPayloadType == 8);
  CHECK(FindCodec("PCMA")->rtpClockRate == 8000);
}

TEST_CASE("FindCodec ignores case and refuses what we do not support") {
  CHECK(FindCodec("OPUS") == FindCodec("opus"));
  CHECK(FindCodec("pcmu") == FindCodec("PCMU"));
  CHECK(FindCodec("g722") != nullptr);
  CHECK(FindCodec("G729") == nullptr);
  CHECK(FindCodec("") == nullptr);
  CHECK(FindCodec("PCMU ") == nullptr);
  CHECK(FindCodec("telephone-event") == nullptr);
}

TEST_CASE("OpusFmtp says what we want to receive") {
  CHECK(OpusFmtp(CodecParams{.name = "opus"}) == "useinbandfec=1; stereo=0");
  CHECK(OpusFmtp(CodecParams{.name = "opus",
                             .opusInbandFec = false,
                             .opusMaxAverageBitrate = 24000,
                             .opusDtx = true}) ==
        "useinbandfec=0; maxaveragebitrate=24000; usedtx=1; stereo=0");
}

TEST_CASE("ParseOpusFmtp reads a peer's fmtp, tolerating spacing and unknown keys") {
  CodecParams params{.name = "opus"};
  params.opusInbandFec = false;
  ParseOpusFmtp("minptime=10;useinbandfec=1; maxaveragebitrate=20000 ;  usedtx = 1;sprop-stereo=0",
                params);
  CHECK(params.opusInbandFec);
  CHECK(params.opusMaxAverageBitrate == 20000);
  CHECK(params.opusDtx);

  ParseOpusFmtp("USEINBANDFEC=0;UseDtx=0", params);
  CHECK_FALSE(params.opusInbandFec);
  CHECK_FALSE(params.opusDtx);
  CHECK(params.opusMaxAverageBitrate == 20000);  // absent: unchanged

  // Our own fmtp reads back as what it said.
  CodecParams ours{.name = "opus", .opusMaxAverageBitrate = 32000, .opusDtx = true};
  CodecParams read{.name = "opus", .opusInbandFec = false};
  ParseOpusFmtp(OpusFmtp(ours), read);
  CHECK(read.opusInbandFec == ours.opusInbandFec);
  CHECK(read.opusMaxAverageBitrate == 32000);
  CHECK(read.opusDtx);
}

TEST_CASE("ParseOpusFmtp skips malformed values and leaves the params as they were") {
  const CodecParams before{.name = "opus", .opusMaxAverageBitrate = 40000};
  for (const char* fmtp : {"",
                           ";",
                           ";;;",
                           "=",
                           "==1",
                           "useinbandfec",
                           "useinbandfec=",
                           "useinbandfec=yes",
                           "useinbandfec=2",
                           "useinbandfec=-1",
                           "usedtx=true",
                           "maxaveragebitrate=",
                           "maxaveragebitrate=abc",
                           "maxaveragebitrate=12k",
                           "maxaveragebitrate=-5",
                           "maxaveragebitrate=5999",
                           "maxaveragebitrate=510001",
                           "maxaveragebitrate=99999999999999",
                           "maxaveragebitrate=1e5",
                           "useinbandfec 0",
                           " ; =0; maxaveragebitrate",
                           "\x01\xff=\x80",
                           "maxaveragebitrate==20000",
                           "useinbandfec=0=1"}) {
    CAPTURE(fmtp);
    CodecParams params = before;
    ParseOpusFmtp(fmtp, params);
    CHECK(params.opusInbandFec == before.opusInbandFec);
    CHECK(params.opusMaxAverageBitrate == before.opusMaxAverageBitrate);
    CHECK(params.opusDtx == before.opusDtx);
  }
  // The bounds of RFC 7587's range are accepted.
  CodecParams params{.name = "opus"};
  ParseOpusFmtp("maxaveragebitrate=6000", params);
  CHECK(params.opusMaxAverageBitrate == 6000);
  ParseOpusFmtp("maxaveragebitrate=510000", params);
  CHECK(params.opusMaxAverageBitrate == 510000);
}

TEST_CASE("ParseOpusFmtp survives random bytes") {
  std::mt19937 random(7);
  std::uniform_int_distribution<int> byte(0, 255);
  const std::string alphabet = "useinbandfecmaxaveragebitratedtx=;01 \t";
  for (int round = 0; round < 2000; ++round) {
    std::string fmtp(random() % 80, '\0');
    for (char& c : fmtp) {
      c = round % 2 == 0 ? static_cast<char>(byte(random)) : alphabet[random() % alphabet.size()];
    }
    CodecParams params{.name = "opus"};
    ParseOpusFmtp(fmtp, params);
    CHECK((params.opusMaxAverageBitrate == 0 ||
           (params.opusMaxAverageBitrate >= 6000 && params.opusMaxAverageBitrate <= 510000)));
  }
}

}  // namespace
}  // namespace pbx::media::internal
