// SRTP policy: each policy against each offer shape (RTP/SAVP with keys, RTP/AVP with keys,
// plain RTP/AVP, RTP/SAVP without usable keys, DTLS-SRTP), the offers pbxkit makes, and an
// offer/answer round in which both ends end up with matching keys.
#include "lib/call/srtp_policy.h"

#include <doctest/doctest.h>

#include <string>

#include "lib/media/srtp/sdes.h"
#include "lib/media/srtp/srtp_session.h"

namespace pbx::call {
namespace {

using media::internal::ParseCryptoAttribute;
using media::internal::SrtpSession;

constexpr const char* kPhoneKey = "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR";

sip::SessionDescription Sdp(const std::string& protocol, const std::string& extra = {}) {
  std::string text =
      "v=0\r\n"
      "o=phone 1 1 IN IP4 10.0.0.5\r\n"
      "s=-\r\n"
      "c=IN IP4 10.0.0.5\r\n"
      "t=0 0\r\n"
      "m=audio 4000 " +
      protocol +
      " 0 101\r\n"
      "a=rtpmap:0 PCMU/8000\r\n"
      "a=rtpmap:101 telephone-event/8000\r\n" +
      extra;
  auto sdp = sip::SessionDescription::Parse(text);
  REQUIRE(sdp.ok());
  return *sdp;
}

std::string PhoneCrypto(int tag = 1, const char* suite = "AES_CM_128_HMAC_SHA1_80") {
  return "a=crypto:" + std::to_string(tag) + " " + suite + " inline:" + kPhoneKey + "\r\n";
}

// What pbxkit's answer is built from before the policy runs: the other leg's SDP, which may
// well be RTP/SAVP with keys of its own (those must not survive).
sip::SessionDescription Template() {
  return Sdp("RTP/SAVP",
             "a=crypto:7 AES_CM_128_HMAC_SHA1_32 inline:" + std::string(kPhoneKey) + "\r\n");
}

size_t CryptoCount(const sip::MediaDescription& media) {
  size_t n = 0;
  for (const auto& attribute : media.attributes) n += attribute.name == "crypto";
  return n;
}

}  // namespace

TEST_CASE("an RTP/SAVP offer with keys is answered RTP/SAVP with our key, unless SRTP is off") {
  const auto offer = Sdp("RTP/SAVP", PhoneCrypto(3));
  for (SrtpPolicy policy : {SrtpPolicy::kOptional, SrtpPolicy::kMandatory}) {
    auto answer = Template();
    auto keys = AnswerCrypto(offer, policy, answer);
    REQUIRE(keys.ok());
    REQUIRE(keys->has_value());
    CHECK((*keys)->suite == "AES_CM_128_HMAC_SHA1_80");
    CHECK((*keys)->remoteKey == kPhoneKey);
    CHECK((*keys)->localKey != kPhoneKey);
    const auto& audio = answer.media[0];
    CHECK(audio.protocol == "RTP/SAVP");
    REQUIRE(CryptoCount(audio) == 1);  // the template's line is gone
    auto ours = ParseCryptoAttribute(audio.findAttribute("crypto")->value);
    REQUIRE(ours.ok());
    CHECK(ours->tag == 3);
    CHECK(ours->keySaltBase64 == (*keys)->localKey);
  }
  auto answer = Template();
  auto refused = AnswerCrypto(offer, SrtpPolicy::kOff, answer);
  CHECK(absl::IsFailedPrecondition(refused.status()));
}

TEST_CASE("an offer's profile is kept: RTP/SAVPF stays SAVPF, RTP/AVP with keys stays AVP") {
  auto answer = Template();
  auto keys = AnswerCrypto(Sdp("RTP/SAVPF", PhoneCrypto()), SrtpPolicy::kOptional, answer);
  REQUIRE(keys.ok());
  CHECK(keys->has_value());
  CHECK(answer.media[0].protocol == "RTP/SAVPF");

  // Best-effort SRTP (keys in an RTP/AVP offer): taken under kOptional and kMandatory alike.
  for (SrtpPolicy policy : {SrtpPolicy::kOptional, SrtpPolicy::kMandatory}) {
    answer = Template();
    keys = AnswerCrypto(Sdp("RTP/AVP", PhoneCrypto()), policy, answer);
    REQUIRE(keys.ok());
    CHECK(keys->has_value());
    CHECK(answer.media[0].protocol == "RTP/AVP");
    CHECK(CryptoCount(answer.media[0]) == 1);
  }
  // Under kOff the same offer is answered plainly: the phone falls back to RTP.
  answer = Template();
  keys = AnswerCrypto(Sdp("RTP/AVP", PhoneCrypto()), SrtpPolicy::kOff, answer);
  REQUIRE(keys.ok());
  CHECK_FALSE(keys->has_value());
  CHECK(answer.media[0].protocol == "RTP/AVP");
  CHECK(CryptoCount(answer.media[0]) == 0);
}

TEST_CASE("a plain offer: answered plainly, or refused when SRTP is mandatory") {
  const auto offer = Sdp("RTP/AVP");
  for (SrtpPolicy policy : {SrtpPolicy::kOff, SrtpPolicy::kOptional}) {
    auto answer = Template();
    auto keys = AnswerCrypto(offer, policy, answer);
    REQUIRE(keys.ok());
    CHECK_FALSE(keys->has_value());
    CHECK(answer.media[0].protocol == "RTP/AVP");
    CHECK(CryptoCount(answer.media[0]) == 0);
  }
  auto answer = Template();
  auto refused = AnswerCrypto(offer, SrtpPolicy::kMandatory, answer);
  CHECK(absl::IsFailedPrecondition(refused.status()));
}

TEST_CASE("the offer's lines pbxkit cannot take are skipped; with none left an SAVP offer fails") {
  // An MKI line and an unknown suite first, a good line last: the good one is chosen.
  const std::string mki =
      "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + std::string(kPhoneKey) + "|2^20|1:4\r\n";
  const std::string unknown =
      "a=crypto:2 F8_128_HMAC_SHA1_80 inline:" + std::string(kPhoneKey) + "\r\n";
  auto answer = Template();
  auto keys =
      AnswerCrypto(Sdp("RTP/SAVP", mki + unknown + PhoneCrypto(9, "AES_CM_128_HMAC_SHA1_32")),
                   SrtpPolicy::kOptional, answer);
  REQUIRE(keys.ok());
  REQUIRE(keys->has_value());
  CHECK((*keys)->suite == "AES_CM_128_HMAC_SHA1_32");
  CHECK(ParseCryptoAttribute(answer.media[0].findAttribute("crypto")->value)->tag == 9);

  for (SrtpPolicy policy : {SrtpPolicy::kOptional, SrtpPolicy::kMandatory}) {
    answer = Template();
    auto refused = AnswerCrypto(Sdp("RTP/SAVP", mki + unknown), policy, answer);
    CHECK(absl::IsFailedPrecondition(refused.status()));
    CHECK(refused.status().message().find(kPhoneKey) == std::string_view::npos);
    answer = Template();
    refused = AnswerCrypto(Sdp("RTP/SAVP"), policy, answer);  // SAVP with no SDES at all
    CHECK(absl::IsFailedPrecondition(refused.status()));
  }
  // RTP/AVP whose keys are all unusable: plain under kOptional, refused under kMandatory.
  answer = Template();
  keys = AnswerCrypto(Sdp("RTP/AVP", unknown), SrtpPolicy::kOptional, answer);
  REQUIRE(keys.ok());
  CHECK_FALSE(keys->has_value());
  CHECK(CryptoCount(answer.media[0]) == 0);
  answer = Template();
  CHECK(absl::IsFailedPrecondition(
      AnswerCrypto(Sdp("RTP/AVP", unknown), SrtpPolicy::kMandatory, answer).status()));
}

TEST_CASE("DTLS-SRTP and streamless SDP are left alone") {
  auto answer = Sdp("UDP/TLS/RTP/SAVPF", "a=fingerprint:sha-256 AB:CD\r\n");
  auto keys = AnswerCrypto(Sdp("UDP/TLS/RTP/SAVPF"), SrtpPolicy::kMandatory, answer);
  REQUIRE(keys.ok());
  CHECK_FALSE(keys->has_value());
  CHECK(answer.media[0].protocol == "UDP/TLS/RTP/SAVPF");

  auto offer = Sdp("RTP/AVP");
  offer.media[0].port = 0;  // no audio stream in use
  answer = Template();
  keys = AnswerCrypto(offer, SrtpPolicy::kMandatory, answer);
  REQUIRE(keys.ok());
  CHECK_FALSE(keys->has_value());
}

TEST_CASE("pbxkit's offers: plain, best-effort RTP/AVP with keys, or RTP/SAVP") {
  const size_t suites = SrtpSession::AvailableSuites().size();
  SUBCASE("kOff strips another party's keys and the S of the profile") {
    auto offer = Template();
    auto offered = OfferCrypto(offer, SrtpPolicy::kOff);
    REQUIRE(offered.ok());
    CHECK_FALSE(offered->has_value());
    CHECK(offer.media[0].protocol == "RTP/AVP");
    CHECK(CryptoCount(offer.media[0]) == 0);
    auto feedback = Sdp("RTP/SAVPF", PhoneCrypto());
    REQUIRE(OfferCrypto(feedback, SrtpPolicy::kOff).ok());
    CHECK(feedback.media[0].protocol == "RTP/AVPF");
  }
  SUBCASE("kOptional offers RTP/AVP with one line per suite, tags 1..n, all our own keys") {
    auto offer = Template();
    auto offered = OfferCrypto(offer, SrtpPolicy::kOptional);
    REQUIRE(offered.ok());
    REQUIRE(offered->has_value());
    CHECK((*offered)->policy == SrtpPolicy::kOptional);
    CHECK((*offered)->attributes.size() == suites);
    CHECK(offer.media[0].protocol == "RTP/AVP");
    REQUIRE(CryptoCount(offer.media[0]) == suites);
    int tag = 0;
    for (const auto& attribute : offer.media[0].attributes) {
      if (attribute.name != "crypto") continue;
      auto parsed = ParseCryptoAttribute(attribute.value);
      REQUIRE(parsed.ok());
      CHECK(parsed->tag == ++tag);
      CHECK(parsed->keySaltBase64 != kPhoneKey);
    }
  }
  SUBCASE("kMandatory offers RTP/SAVP (SAVPF for a feedback profile)") {
    auto offer = Sdp("RTP/AVP");
    auto offered = OfferCrypto(offer, SrtpPolicy::kMandatory);
    REQUIRE(offered.ok());
    REQUIRE(offered->has_value());
    CHECK(offer.media[0].protocol == "RTP/SAVP");
    CHECK(CryptoCount(offer.media[0]) == suites);
    auto feedback = Sdp("RTP/AVPF");
    REQUIRE(OfferCrypto(feedback, SrtpPolicy::kMandatory).ok());
    CHECK(feedback.media[0].protocol == "RTP/SAVPF");
  }
}

TEST_CASE("offer, the phone's answer, and accept: both ends hold each other's keys") {
  for (SrtpPolicy policy : {SrtpPolicy::kOptional, SrtpPolicy::kMandatory}) {
    auto offer = Sdp("RTP/AVP");
    auto offered = OfferCrypto(offer, policy);
    REQUIRE(offered.ok());
    REQUIRE(offered->has_value());
    // The phone's side of it, played by the answering helper.
    auto answer = Sdp("RTP/AVP");
    auto phone = AnswerCrypto(offer, SrtpPolicy::kOptional, answer);
    REQUIRE(phone.ok());
    REQUIRE(phone->has_value());
    auto ours = AcceptCrypto(**offered, answer);
    REQUIRE(ours.ok());
    REQUIRE(ours->has_value());
    CHECK((*ours)->suite == (*phone)->suite);
    CHECK((*ours)->localKey == (*phone)->remoteKey);
    CHECK((*ours)->remoteKey == (*phone)->localKey);
    // And those keys really talk: what one end protects the other unprotects.
    auto suite = media::internal::SuiteFromName((*ours)->suite);
    REQUIRE(suite.has_value());
    media::internal::CryptoAttribute a, b;
    a.suite = b.suite = *suite;
    a.keySaltBase64 = (*ours)->localKey;
    b.keySaltBase64 = (*ours)->remoteKey;
    auto pbx = SrtpSession::Create(*suite, *a.DecodeKeySalt(), *b.DecodeKeySalt());
    auto far = SrtpSession::Create(*suite, *b.DecodeKeySalt(), *a.DecodeKeySalt());
    REQUIRE(pbx.ok());
    REQUIRE(far.ok());
    uint8_t packet[12 + 160 + SrtpSession::kMaxOverhead] = {0x80, 0x00, 0x00, 0x01};
    size_t size = 12 + 160;
    REQUIRE((*pbx)->protect(packet, size, sizeof packet));
    CHECK((*far)->unprotect(packet, size));
  }
}

TEST_CASE("accepting an answer: plain, wrong tag, keyless SAVP, plain under kMandatory") {
  auto offer = Sdp("RTP/AVP");
  auto offered = OfferCrypto(offer, SrtpPolicy::kOptional);
  REQUIRE(offered.ok());
  REQUIRE(offered->has_value());
  const OfferedCrypto& ours = **offered;

  auto plain = AcceptCrypto(ours, Sdp("RTP/AVP"));
  REQUIRE(plain.ok());
  CHECK_FALSE(plain->has_value());

  auto wrongTag = AcceptCrypto(ours, Sdp("RTP/AVP", PhoneCrypto(42)));
  CHECK_FALSE(wrongTag.ok());
  CHECK(wrongTag.status().message().find(kPhoneKey) == std::string_view::npos);
  CHECK_FALSE(AcceptCrypto(ours, Sdp("RTP/SAVP")).ok());

  OfferedCrypto mandatory = ours;
  mandatory.policy = SrtpPolicy::kMandatory;
  CHECK(absl::IsFailedPrecondition(AcceptCrypto(mandatory, Sdp("RTP/AVP")).status()));

  auto refused = Sdp("RTP/SAVP");
  refused.media[0].port = 0;  // the phone refused the audio stream: nothing to key
  auto none = AcceptCrypto(mandatory, refused);
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());
}

}  // namespace pbx::call
