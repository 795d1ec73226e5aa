#include "lib/media/srtp/sdes.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "lib/media/srtp/srtp_session.h"

namespace pbx::media::internal {
namespace {

// Our own example keys: base64 of 30, 28 and 44 bytes of text.
constexpr std::string_view kKey30 = "cGJ4a2l0IHNkZXMgZXhhbXBsZSBrZXkrc2FsdCEh";
constexpr std::string_view kKey28 = "cGJ4a2l0IGdjbTEyOCBrZXkgYW5kIHNhbHQuLg==";
constexpr std::string_view kKey44 = "cGJ4a2l0IGdjbTI1NiBleGFtcGxlIGtleSBwbHVzIGl0cyAxMkIgc2FsdC4=";

std::string Line(int tag, std::string_view suite, std::string_view key,
                 std::string_view rest = "") {
  return std::string(std::to_string(tag)) + " " + std::string(suite) +
         " inline:" + std::string(key) + std::string(rest);
}

TEST_CASE("a=crypto lines parse and format back unchanged") {
  const std::vector<std::string> lines = {
      Line(1, "AES_CM_128_HMAC_SHA1_80", kKey30),
      Line(2, "AES_CM_128_HMAC_SHA1_32", kKey30, "|2^20"),
      Line(3, "AES_CM_128_HMAC_SHA1_80", kKey30, "|2^20|1:4"),
      Line(4, "AES_CM_128_HMAC_SHA1_80", kKey30, "|7:1"),
      Line(5, "AEAD_AES_128_GCM", kKey28, " WSH=256"),
      Line(6, "AEAD_AES_256_GCM", kKey44, "|2^31 -FUTURE_PARAM=1 WSH=64"),
      Line(999999999, "AES_CM_128_HMAC_SHA1_80", kKey30, "|1000"),
  };
  for (const std::string& line : lines) {
    CAPTURE(line);
    auto parsed = ParseCryptoAttribute(line);
    REQUIRE(parsed.ok());
    CHECK(FormatCryptoAttribute(*parsed) == line);
  }
}

TEST_CASE("a=crypto fields land where they belong") {
  auto parsed =
      ParseCryptoAttribute(Line(3, "AES_CM_128_HMAC_SHA1_32", kKey30, "|2^20|1:4 WSH=512"));
  REQUIRE(parsed.ok());
  CHECK(parsed->tag == 3);
  CHECK(parsed->suite == SrtpSuite::kAesCm128HmacSha1_32);
  CHECK(parsed->keySaltBase64 == kKey30);
  CHECK(parsed->lifetime == uint64_t{1} << 20);
  REQUIRE(parsed->mki.has_value());
  CHECK(parsed->mki->value == 1);
  CHECK(parsed->mki->length == 4);
  CHECK(parsed->windowSizeHint() == 512u);
  auto keySalt = parsed->DecodeKeySalt();
  REQUIRE(keySalt.ok());
  CHECK(*keySalt == std::string("pbxkit sdes example key+salt!!", 30));

  // A decimal lifetime means the same; an MKI alone is told apart by its colon.
  auto decimal = ParseCryptoAttribute(Line(1, "AES_CM_128_HMAC_SHA1_80", kKey30, "|1048576"));
  REQUIRE(decimal.ok());
  CHECK(decimal->lifetime == uint64_t{1} << 20);
  CHECK(FormatCryptoAttribute(*decimal) == Line(1, "AES_CM_128_HMAC_SHA1_80", kKey30, "|2^20"));
  auto mkiOnly = ParseCryptoAttribute(Line(1, "AES_CM_128_HMAC_SHA1_80", kKey30, "|1:4"));
  REQUIRE(mkiOnly.ok());
  CHECK_FALSE(mkiOnly->lifetime.has_value());
  CHECK(mkiOnly->mki.has_value());

  // The trailing CR of an SDP line and doubled spaces are tolerated.
  auto sloppy =
      ParseCryptoAttribute("7  AES_CM_128_HMAC_SHA1_80   inline:" + std::string(kKey30) + "\r\n");
  REQUIRE(sloppy.ok());
  CHECK(sloppy->tag == 7);
}

TEST_CASE("malformed a=crypto lines are errors") {
  const std::vector<std::string> bad = {
      "",
      "garbage",
      "\x01\xff\xfe binary",
      "1 AES_CM_128_HMAC_SHA1_80",
      "x AES_CM_128_HMAC_SHA1_80 inline:" + std::string(kKey30),
      "-1 AES_CM_128_HMAC_SHA1_80 inline:" + std::string(kKey30),
      "1234567890 AES_CM_128_HMAC_SHA1_80 inline:" + std::string(kKey30),
      Line(1, "AES_256_CM_HMAC_SHA1_80", kKey44),  // a suite we do not run
      Line(1, "aes_cm_128_hmac_sha1_80", kKey30),
      Line(1, "F8_128_HMAC_SHA1_80", kKey30),
      "1 AES_CM_128_HMAC_SHA1_80 " + std::string(kKey30),      // no inline:
      "1 AES_CM_128_HMAC_SHA1_80 uri:" + std::string(kKey30),  // another key method
      Line(1, "AES_CM_128_HMAC_SHA1_80", "!!notbase64!!notbase64!!notbase64!!!!!!"),
      Line(1, "AES_CM_128_HMAC_SHA1_80", "cGJ4a2l0IHNkZXMgZXhhbXBsZSBrZXkrc2FsdCEh="),
      Line(1, "AES_CM_128_HMAC_SHA1_80", "cGJ4a2l0IHNkZX=MgZXhhbXBsZSBrZXkrc2FsdCE"),
      Line(1, "AES_CM_128_HMAC_SHA1_80", ""),
      Line(1, "AES_CM_128_HMAC_SHA1_80", kKey28),  // 28 bytes for a 30-byte suite
      Line(1, "AEAD_AES_128_GCM", kKey30),
      Line(1, "AEAD_AES_256_GCM", kKey30),
      Line(1, "AES_CM_128_HMAC_SHA1_80", kKey30, ";inline:" + std::string(kKey30)),
      Line(1, "AES_CM_128_HMAC_SHA1_80", kKey30, "|2^49"),
      Line(1, "AES_CM_128_HMAC_SHA1_80", kKey30, "|2^x"),
      Line(1, "AES_CM_128_HMAC_SHA1_80", kKey30, "|0"),
      Line(1, "AES_CM_128_HMAC_SHA1_80", kKey30, "|1:0"),
      Line(1, "AES_CM_128_HMAC_SHA1_80", kKey30, "|256:1"),
      Line(1, "AES_CM_128_HMAC_SHA1_80", kKey30, "|1:129"),
      Line(1, "AES_CM_128_HMAC_SHA1_80", kKey30, "|1:4|2^20"),  // lifetime after MKI
      Line(1, "AES_CM_128_HMAC_SHA1_80", kKey30, "|2^20|1:4|1:4"),
      Line(1, "AES_CM_128_HMAC_SHA1_80", kKey30, " WSH=10"),
      Line(1, "AES_CM_128_HMAC_SHA1_80", kKey30, " WSH=lots"),
      Line(1, "AES_CM_128_HMAC_SHA1_80", kKey30, " SOMETHING_NEW=1"),
  };
  for (const std::string& line : bad) {
    CAPTURE(line);
    auto parsed = ParseCryptoAttribute(line);
    CHECK_FALSE(parsed.ok());
    if (!parsed.ok())
      CHECK(std::string(parsed.status().message()).find(kKey30) == std::string_view::npos);
  }
}

TEST_CASE("session parameters we do not implement are refused by name") {
  for (std::string_view param : {"UNENCRYPTED_SRTP", "UNENCRYPTED_SRTCP", "UNAUTHENTICATED_SRTP",
                                 "KDR=10", "FEC_ORDER=FEC_SRTP", "FEC_KEY=inline:abc"}) {
    CAPTURE(param);
    auto parsed =
        ParseCryptoAttribute(Line(1, "AES_CM_128_HMAC_SHA1_80", kKey30, " " + std::string(param)));
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().code() == absl::StatusCode::kUnimplemented);
    std::string_view name = param.substr(0, param.find('='));
    CHECK(std::string(parsed.status().message()).find(name) != std::string_view::npos);
  }
}

TEST_CASE("ToString never shows the key") {
  auto parsed = ParseCryptoAttribute(Line(1, "AES_CM_128_HMAC_SHA1_80", kKey30));
  REQUIRE(parsed.ok());
  CHECK(parsed->ToString() == "tag 1 AES_CM_128_HMAC_SHA1_80 inline:<redacted>");
  auto withExtras = ParseCryptoAttribute(Line(2, "AEAD_AES_256_GCM", kKey44, "|2^20 WSH=128"));
  REQUIRE(withExtras.ok());
  CHECK(withExtras->ToString() == "tag 2 AEAD_AES_256_GCM inline:<redacted>|2^20 WSH=128");
  CHECK(withExtras->ToString().find(kKey44) == std::string::npos);
  auto generated = GenerateCryptoAttribute(9, SrtpSuite::kAesCm128HmacSha1_80);
  REQUIRE(generated.ok());
  CHECK(generated->ToString().find(generated->keySaltBase64) == std::string::npos);
  CHECK(generated->ToString().find(generated->keySaltBase64.substr(0, 8)) == std::string::npos);
}

TEST_CASE("generated keys are fresh, the right length, and parse back") {
  for (SrtpSuite suite : {SrtpSuite::kAesCm128HmacSha1_80, SrtpSuite::kAesCm128HmacSha1_32,
                          SrtpSuite::kAeadAes128Gcm, SrtpSuite::kAeadAes256Gcm}) {
    CAPTURE(SuiteName(suite));
    auto a = GenerateCryptoAttribute(1, suite);
    auto b = GenerateCryptoAttribute(1, suite);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(a->keySaltBase64 != b->keySaltBase64);
    auto keySalt = a->DecodeKeySalt();
    REQUIRE(keySalt.ok());
    CHECK(keySalt->size() == KeySaltLength(suite));
    CHECK(*keySalt != std::string(keySalt->size(), '\0'));
    auto reparsed = ParseCryptoAttribute(FormatCryptoAttribute(*a));
    REQUIRE(reparsed.ok());
    CHECK(reparsed->keySaltBase64 == a->keySaltBase64);
    CHECK(reparsed->suite == suite);
  }
  CHECK_FALSE(GenerateCryptoAttribute(-1, SrtpSuite::kAesCm128HmacSha1_80).ok());
  CHECK_FALSE(GenerateCryptoAttribute(1000000000, SrtpSuite::kAesCm128HmacSha1_80).ok());
}

TEST_CASE("the answer takes our preferred suite and keeps the offer's tag") {
  const std::vector<std::string> offer = {
      "not a crypto line",
      Line(1, "AES_CM_128_HMAC_SHA1_32", kKey30),
      Line(2, "AES_CM_128_HMAC_SHA1_80", kKey30, "|2^20|1:4"),          // MKI: skipped
      Line(3, "AES_256_CM_HMAC_SHA1_80", kKey44),                       // unknown suite: skipped
      Line(4, "AES_CM_128_HMAC_SHA1_80", kKey30, " UNENCRYPTED_SRTP"),  // skipped
      Line(5, "AES_CM_128_HMAC_SHA1_80", kKey30),
  };
  const SrtpSuite prefer80[] = {SrtpSuite::kAesCm128HmacSha1_80, SrtpSuite::kAesCm128HmacSha1_32};
  auto chosen = NegotiateCryptoAnswer(offer, prefer80);
  REQUIRE(chosen.ok());
  CHECK(chosen->remote.tag == 5);
  CHECK(chosen->local.tag == 5);
  CHECK(chosen->local.suite == SrtpSuite::kAesCm128HmacSha1_80);
  CHECK(chosen->remote.keySaltBase64 == kKey30);
  CHECK(chosen->local.keySaltBase64 != kKey30);
  CHECK(chosen->local.DecodeKeySalt().ok());

  const SrtpSuite prefer32[] = {SrtpSuite::kAesCm128HmacSha1_32, SrtpSuite::kAesCm128HmacSha1_80};
  auto chosen32 = NegotiateCryptoAnswer(offer, prefer32);
  REQUIRE(chosen32.ok());
  CHECK(chosen32->local.tag == 1);
  CHECK(chosen32->local.suite == SrtpSuite::kAesCm128HmacSha1_32);

  const SrtpSuite onlyGcm[] = {SrtpSuite::kAeadAes128Gcm};
  auto none = NegotiateCryptoAnswer(offer, onlyGcm);
  REQUIRE_FALSE(none.ok());
  CHECK(none.status().code() == absl::StatusCode::kNotFound);
  CHECK(std::string(none.status().message()).find(kKey30) == std::string_view::npos);
  CHECK_FALSE(NegotiateCryptoAnswer(std::vector<std::string>{}, prefer80).ok());
}

TEST_CASE("an offer lists our suites and the answer is matched by tag") {
  const std::vector<SrtpSuite> suites = {SrtpSuite::kAesCm128HmacSha1_80,
                                         SrtpSuite::kAesCm128HmacSha1_32};
  auto offer = GenerateCryptoOffer(suites);
  REQUIRE(offer.ok());
  REQUIRE(offer->size() == 2);
  CHECK((*offer)[0].tag == 1);
  CHECK((*offer)[1].tag == 2);
  CHECK((*offer)[1].suite == SrtpSuite::kAesCm128HmacSha1_32);
  CHECK((*offer)[0].keySaltBase64 != (*offer)[1].keySaltBase64);

  // The peer answers our line 2 through the answerer-side helper.
  std::vector<std::string> offerLines;
  for (const CryptoAttribute& attribute : *offer) {
    offerLines.push_back(FormatCryptoAttribute(attribute));
  }
  const SrtpSuite peerPrefers[] = {SrtpSuite::kAesCm128HmacSha1_32};
  auto peer = NegotiateCryptoAnswer(offerLines, peerPrefers);
  REQUIRE(peer.ok());
  auto agreed = AcceptCryptoAnswer(*offer, FormatCryptoAttribute(peer->local));
  REQUIRE(agreed.ok());
  CHECK(agreed->local.tag == 2);
  CHECK(agreed->local.keySaltBase64 == (*offer)[1].keySaltBase64);
  CHECK(agreed->remote.keySaltBase64 == peer->local.keySaltBase64);

  CHECK_FALSE(AcceptCryptoAnswer(*offer, Line(3, "AES_CM_128_HMAC_SHA1_80", kKey30)).ok());
  CHECK_FALSE(AcceptCryptoAnswer(*offer, Line(2, "AES_CM_128_HMAC_SHA1_80", kKey30)).ok());
  CHECK_FALSE(AcceptCryptoAnswer(*offer, Line(1, "AES_CM_128_HMAC_SHA1_80", kKey30, "|1:1")).ok());
  CHECK_FALSE(AcceptCryptoAnswer(*offer, "nonsense").ok());
  CHECK(AcceptCryptoAnswer(*offer, Line(1, "AES_CM_128_HMAC_SHA1_80", kKey30)).ok());
}

TEST_CASE("suite names go both ways") {
  for (SrtpSuite suite : {SrtpSuite::kAesCm128HmacSha1_80, SrtpSuite::kAesCm128HmacSha1_32,
                          SrtpSuite::kAeadAes128Gcm, SrtpSuite::kAeadAes256Gcm}) {
    CHECK(SuiteFromName(SuiteName(suite)) == suite);
  }
  CHECK_FALSE(SuiteFromName("NULL").has_value());
}

}  // namespace
}  // namespace pbx::media::internal
