#include "pbx/sip/digest.h"

#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using pbx::sip::DigestVerdict;

namespace {
pbx::sip::DigestCredentials Answer(const pbx::sip::DigestChallenge& c, const std::string& user,
                                   const std::string& password, const std::string& method) {
  pbx::sip::DigestCredentials cred;
  cred.username = user;
  cred.realm = c.realm;
  cred.nonce = c.nonce;
  cred.uri = "sip:127.0.0.1";
  cred.qop = "auth";
  cred.cnonce = "abc123";
  cred.nonceCount = "00000001";
  cred.response = pbx::sip::DigestResponse(cred, method, password);
  return cred;
}
}  // namespace

TEST_CASE("MD5 matches the RFC 1321 test vector") {
  CHECK(pbx::sip::Md5Hex("abc") == "900150983cd24fb0d6963f7d28e17f72");
}

TEST_CASE("RFC 2617 section 3.5 example response") {
  pbx::sip::DigestCredentials c;
  c.username = "Mufasa";
  c.realm = "testrealm@host.com";
  c.nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
  c.uri = "/dir/index.html";
  c.qop = "auth";
  c.nonceCount = "00000001";
  c.cnonce = "0a4f113b";
  CHECK(pbx::sip::DigestResponse(c, "GET", "Circle Of Life") == "6629fae49393a05397450978507c4ef1");
}

TEST_CASE("a correct answer to our challenge is accepted, a wrong password is not") {
  pbx::SimulatedTimeSource time;
  pbx::sip::DigestAuthenticator auth(time, "pbx.test");
  auto challenge = auth.challenge();
  CHECK(challenge.headerValue().find("Digest realm=\"pbx.test\"") == 0);
  CHECK(auth.verify(Answer(challenge, "100", "demo100", "REGISTER"), "REGISTER", "demo100") ==
        DigestVerdict::kOk);
  CHECK(auth.verify(Answer(challenge, "100", "wrong", "REGISTER"), "REGISTER", "demo100") ==
        DigestVerdict::kWrongPassword);
  // The method is part of the digest.
  CHECK(auth.verify(Answer(challenge, "100", "demo100", "INVITE"), "REGISTER", "demo100") ==
        DigestVerdict::kWrongPassword);
}

TEST_CASE("old nonces are stale, forged nonces are rejected") {
  pbx::SimulatedTimeSource time;
  pbx::sip::DigestAuthenticator auth(time, "pbx.test", 300s);
  auto challenge = auth.challenge();
  auto cred = Answer(challenge, "100", "demo100", "REGISTER");
  time.advance(301s);
  CHECK(auth.verify(cred, "REGISTER", "demo100") == DigestVerdict::kStale);

  auto forged = challenge;
  forged.nonce = "12345.000000000000000000000000";
  CHECK(auth.verify(Answer(forged, "100", "demo100", "REGISTER"), "REGISTER", "demo100") ==
        DigestVerdict::kBadNonce);
  pbx::sip::DigestAuthenticator other(time, "pbx.test");
  CHECK(other.verify(Answer(auth.challenge(), "100", "demo100", "REGISTER"), "REGISTER",
                     "demo100") == DigestVerdict::kBadNonce);
}

TEST_CASE("unsupported algorithms are reported, not guessed") {
  pbx::SimulatedTimeSource time;
  pbx::sip::DigestAuthenticator auth(time, "pbx.test");
  auto cred = Answer(auth.challenge(), "100", "demo100", "REGISTER");
  cred.algorithm = "SHA-256";
  CHECK(auth.verify(cred, "REGISTER", "demo100") == DigestVerdict::kUnsupported);
}

TEST_CASE("the age of a nonce we issued is known; a foreign nonce has none") {
  pbx::SimulatedTimeSource time;
  pbx::sip::DigestAuthenticator auth(time, "pbx.test");
  auto cred = Answer(auth.challenge(), "100", "demo100", "INVITE");
  time.advance(3s);
  REQUIRE(auth.nonceAge(cred).has_value());
  CHECK(*auth.nonceAge(cred) == 3s);
  cred.nonce = "123.abc";
  CHECK_FALSE(auth.nonceAge(cred).has_value());
}

TEST_CASE("nonces stay verifiable when later seconds take over their cache slot") {
  pbx::SimulatedTimeSource time;
  pbx::sip::DigestAuthenticator auth(time, "pbx.test", 300s);
  std::vector<pbx::sip::DigestCredentials> answers;
  for (int second = 0; second < 20; ++second) {  // more seconds than the cache holds
    answers.push_back(Answer(auth.challenge(), "100", "demo100", "INVITE"));
    time.advance(1s);
  }
  std::set<std::string> distinct;
  for (size_t i = 0; i < answers.size(); ++i) {
    distinct.insert(answers[i].nonce);
    CHECK(auth.verify(answers[i], "INVITE", "demo100") == DigestVerdict::kOk);
    REQUIRE(auth.nonceAge(answers[i]).has_value());
    CHECK(auth.nonceAge(answers[i])->count() == static_cast<int64_t>(answers.size() - i));
  }
  CHECK(distinct.size() == answers.size());
  // A nonce of a second that is cached right now, but not made by us.
  auto forged = answers.back();
  forged.nonce = forged.nonce.substr(0, forged.nonce.find('.')) + ".000000000000000000000000";
  forged.response = pbx::sip::DigestResponse(forged, "INVITE", "demo100");
  CHECK(auth.verify(forged, "INVITE", "demo100") == DigestVerdict::kBadNonce);
}
