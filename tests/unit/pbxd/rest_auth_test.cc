#include "examples/pbxd/rest/rest_auth.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "pbx/base/time_source.h"

using namespace std::chrono_literals;
using pbxd::rest::AuthenticateHeader;
using pbxd::rest::AuthResult;
using pbxd::rest::AuthVerdict;
using pbxd::rest::RestAuthenticator;
using pbxd::rest::RestAuthOptions;

namespace {

// The spec's worked example (fax-acd-recording-api-catalog.md §4.2).
constexpr char kSalt[] = "b5a8fdcf2f8d5acdad33c4a072a97d7a";
constexpr char kDigestPassword[] =
    "dd7b0be7fa37d6cbaf0b842bf7532f229cb79ab8d54d509c2aa7eea27a53cd5e";
constexpr char kNonce[] = "bfb79078ff44c35714af28b7412a702b";
constexpr char kCreated[] = "2016-04-29T15:48:26Z";
constexpr char kDigest[] = "+PJg7Tb3v98XnL6iJVv+v5hwhYjdzQ2tIWxvJB2cE40=";
constexpr char kSpecHeader[] =
    "RestApiUsernameToken Username=\"admin\", Domain=\"default\", "
    "Digest=\"+PJg7Tb3v98XnL6iJVv+v5hwhYjdzQ2tIWxvJB2cE40=\",Nonce="
    "\"bfb79078ff44c35714af28b7412a702b\", Created=\"2016-04-29T15:48:26Z\"";

pbx::SystemTime At(std::string_view created) {
  auto t = pbxd::rest::ParseCreated(created);
  REQUIRE(t.ok());
  return *t;
}

// admin/admin and alice/wonderland in "default" (the spec's salt), bob/builder in "other"
// (a random salt).
RestAuthOptions ExampleOptions() {
  RestAuthOptions options;
  options.users = {{"admin", "admin", "default"},
                   {"alice", "wonderland", "default"},
                   {"bob", "builder", "other"}};
  options.salts = {{"default", kSalt}};
  return options;
}

std::unique_ptr<RestAuthenticator> MakeAuth(const pbx::TimeSource& time,
                                            RestAuthOptions options = ExampleOptions()) {
  auto auth = RestAuthenticator::Create(options, time);
  REQUIRE(auth.ok());
  return *std::move(auth);
}

// alice's header for `nonce`, Created at `created` (default: the clock's time).
std::string AliceHeader(const pbx::TimeSource& time, std::string_view nonce,
                        std::optional<pbx::SystemTime> created = std::nullopt,
                        std::string_view password = "wonderland") {
  return AuthenticateHeader("alice", password, "default", kSalt, nonce,
                            pbxd::rest::FormatCreated(created.value_or(time.systemTime())));
}

}  // namespace

TEST_CASE("the spec's worked example: digestPassword and Digest") {
  CHECK(pbxd::rest::DigestPassword("admin", kSalt) == kDigestPassword);
  CHECK(pbxd::rest::RequestDigest(kNonce, kDigestPassword, "admin", "default", kCreated) ==
        kDigest);
  CHECK(AuthenticateHeader("admin", "admin", "default", kSalt, kNonce, kCreated) ==
        absl::StrReplaceAll(kSpecHeader, {{"\",Nonce", "\", Nonce"}}));
}

TEST_CASE("the spec's example header verifies at 2016-04-29T15:50:00Z, once") {
  pbx::SimulatedTimeSource time;
  time.setSystemTime(At("2016-04-29T15:50:00Z"));
  auto auth = MakeAuth(time);

  AuthResult r = auth->verify(kSpecHeader);
  CHECK(r.verdict == AuthVerdict::kOk);
  CHECK(r.ok());
  CHECK(r.message.empty());
  CHECK(r.username == "admin");
  CHECK(r.domain == "default");
  CHECK(pbxd::rest::HttpStatusFor(r.verdict) == 200);

  AuthResult again = auth->verify(kSpecHeader);
  CHECK(again.verdict == AuthVerdict::kReplayedNonce);
  CHECK(again.username.empty());
  CHECK(pbxd::rest::HttpStatusFor(again.verdict) == 401);
}

TEST_CASE("parameters in any order, with or without whitespace, names in any case") {
  pbx::SimulatedTimeSource time;
  time.setSystemTime(At("2016-04-29T15:50:00Z"));
  const std::string variants[] = {
      absl::StrCat("RestApiUsernameToken Created=\"", kCreated, "\",Nonce=\"", kNonce,
                   "\",Digest=\"", kDigest, "\",Domain=\"default\",Username=\"admin\""),
      absl::StrCat("  RestApiUsernameToken\tUsername = \"admin\" ,\tDomain= \"default\" , ",
                   "Digest =\"", kDigest, "\" , Nonce=\"", kNonce, "\",  Created=\"", kCreated,
                   "\"  "),
      absl::StrCat("restapiusernametoken username=\"admin\", DOMAIN=\"default\", digest=\"",
                   kDigest, "\", nonce=\"", kNonce, "\", created=\"", kCreated, "\""),
      absl::StrCat("RestApiUsernameToken Username=\"ad\\min\", Domain=\"default\", Digest=\"",
                   kDigest, "\", Nonce=\"", kNonce, "\", Created=\"", kCreated, "\""),
  };
  for (const std::string& header : variants) {
    CAPTURE(header);
    auto auth = MakeAuth(time);  // a fresh nonce memory for each
    AuthResult r = auth->verify(header);
    CHECK_MESSAGE(r.ok(), r.message);
    CHECK(r.username == "admin");
  }
}

TEST_CASE("a nonce is refused for 5 minutes after it was accepted, then may be used again") {
  pbx::SimulatedTimeSource time;
  auto auth = MakeAuth(time);
  const std::string first = AliceHeader(time, "0123456789abcdef");
  REQUIRE(auth->verify(first).ok());
  CHECK(auth->liveNonces() == 1);

  CHECK(auth->verify(first).verdict == AuthVerdict::kReplayedNonce);
  time.advance(4min + 59s);
  CHECK(auth->verify(first).verdict == AuthVerdict::kReplayedNonce);
  // The same nonce with a new Created (a new digest) is a replay too.
  CHECK(auth->verify(AliceHeader(time, "0123456789abcdef")).verdict == AuthVerdict::kReplayedNonce);
  time.advance(1s);  // exactly 5 minutes: still remembered
  CHECK(auth->verify(AliceHeader(time, "0123456789abcdef")).verdict == AuthVerdict::kReplayedNonce);

  time.advance(1s);  // 5 minutes and a second: forgotten
  CHECK(auth->verify(first).verdict == AuthVerdict::kStaleTimestamp);  // never twice
  CHECK(auth->verify(AliceHeader(time, "0123456789abcdef")).ok());
  CHECK(auth->liveNonces() == 1);  // the first one was pruned
}

TEST_CASE("the same nonce from two users is not a replay") {
  pbx::SimulatedTimeSource time;
  auto auth = MakeAuth(time);
  const std::string created = pbxd::rest::FormatCreated(time.systemTime());
  CHECK(auth->verify(AuthenticateHeader("admin", "admin", "default", kSalt, kNonce, created)).ok());
  CHECK(auth->verify(AuthenticateHeader("alice", "wonderland", "default", kSalt, kNonce, created))
            .ok());
}

TEST_CASE("Created may be up to 5 minutes from the server's time, either way, inclusive") {
  pbx::SimulatedTimeSource time;
  auto auth = MakeAuth(time);
  const pbx::SystemTime now = time.systemTime();

  CHECK(auth->verify(AliceHeader(time, "00000001", now - 5min)).ok());
  CHECK(auth->verify(AliceHeader(time, "00000002", now + 5min)).ok());
  AuthResult past = auth->verify(AliceHeader(time, "00000003", now - 5min - 1s));
  CHECK(past.verdict == AuthVerdict::kStaleTimestamp);
  CHECK(past.message ==
        "Created 2025-12-31T23:54:59Z is more than 300 s from the server's time "
        "2026-01-01T00:00:00Z");
  CHECK(auth->verify(AliceHeader(time, "00000004", now + 5min + 1s)).verdict ==
        AuthVerdict::kStaleTimestamp);
  CHECK(auth->liveNonces() == 2);  // the refused ones were not recorded

  // Compared in whole seconds: the clock's fraction of a second moves no boundary.
  time.advance(999ms);
  CHECK(auth->verify(AliceHeader(time, "00000005", now - 5min)).ok());
  CHECK(auth->verify(AliceHeader(time, "00000006", now + 5min)).ok());
  CHECK(auth->verify(AliceHeader(time, "00000007", now - 5min - 1s)).verdict ==
        AuthVerdict::kStaleTimestamp);
  CHECK(auth->verify(AliceHeader(time, "00000008", now + 5min + 1s)).verdict ==
        AuthVerdict::kStaleTimestamp);
}

TEST_CASE("a nonce Created in the future is remembered as long as its header is fresh") {
  pbx::SimulatedTimeSource time;
  auto auth = MakeAuth(time);
  const std::string header = AliceHeader(time, "feedc0de", time.systemTime() + 5min);
  REQUIRE(auth->verify(header).ok());
  // Past the nonce lifetime, but the header's Created is only a second old.
  time.advance(5min + 1s);
  CHECK(auth->verify(header).verdict == AuthVerdict::kReplayedNonce);
  time.advance(5min);
  CHECK(auth->verify(header).verdict == AuthVerdict::kStaleTimestamp);
  CHECK(auth->verify(AliceHeader(time, "feedc0de")).ok());
}

TEST_CASE("a wrong password is refused and does not spend the nonce") {
  pbx::SimulatedTimeSource time;
  auto auth = MakeAuth(time);
  AuthResult wrong = auth->verify(AliceHeader(time, "abcdef0123", std::nullopt, "guess"));
  CHECK(wrong.verdict == AuthVerdict::kBadDigest);
  CHECK(wrong.message == "unknown user or wrong password");
  CHECK(pbxd::rest::HttpStatusFor(wrong.verdict) == 401);
  CHECK(auth->liveNonces() == 0);
  CHECK(auth->verify(AliceHeader(time, "abcdef0123")).ok());

  // A digest computed with another salt is as wrong.
  const std::string created = pbxd::rest::FormatCreated(time.systemTime());
  CHECK(auth->verify(AuthenticateHeader("alice", "wonderland", "default", "another-salt",
                                        "abcdef0124", created))
            .verdict == AuthVerdict::kBadDigest);
}

TEST_CASE("unknown users and users of another domain are refused like a wrong password") {
  pbx::SimulatedTimeSource time;
  auto auth = MakeAuth(time);
  const std::string created = pbxd::rest::FormatCreated(time.systemTime());
  const std::string otherSalt = *auth->salt("other");

  AuthResult unknown =
      auth->verify(AuthenticateHeader("mallory", "x", "default", kSalt, "11111111", created));
  CHECK(unknown.verdict == AuthVerdict::kUnknownUser);
  CHECK(unknown.message == "unknown user or wrong password");
  CHECK(pbxd::rest::HttpStatusFor(unknown.verdict) == 401);

  // bob exists, in "other"; alice exists, in "default"; "nowhere" does not exist.
  CHECK(auth->verify(AuthenticateHeader("bob", "builder", "default", kSalt, "22222222", created))
            .verdict == AuthVerdict::kUnknownUser);
  CHECK(auth->verify(
                AuthenticateHeader("alice", "wonderland", "other", otherSalt, "33333333", created))
            .verdict == AuthVerdict::kUnknownUser);
  CHECK(
      auth->verify(AuthenticateHeader("alice", "wonderland", "nowhere", kSalt, "44444444", created))
          .verdict == AuthVerdict::kUnknownUser);
  CHECK(
      auth->verify(AuthenticateHeader("Alice", "wonderland", "default", kSalt, "55555555", created))
          .verdict == AuthVerdict::kUnknownUser);
  CHECK(auth->liveNonces() == 0);

  AuthResult bob =
      auth->verify(AuthenticateHeader("bob", "builder", "other", otherSalt, "66666666", created));
  CHECK(bob.ok());
  CHECK(bob.domain == "other");
}

TEST_CASE("malformed headers are refused as malformed, without crashing") {
  pbx::SimulatedTimeSource time;
  time.setSystemTime(At("2016-04-29T15:50:00Z"));
  auto auth = MakeAuth(time);
  const std::string u = "Username=\"admin\"", d = "Domain=\"default\"";
  const std::string g = absl::StrCat("Digest=\"", kDigest, "\"");
  const std::string n = absl::StrCat("Nonce=\"", kNonce, "\"");
  const std::string c = absl::StrCat("Created=\"", kCreated, "\"");
  const auto header = [](const std::vector<std::string>& parameters) {
    std::string out = "RestApiUsernameToken ";
    for (size_t i = 0; i < parameters.size(); ++i)
      absl::StrAppend(&out, i == 0 ? "" : ", ", parameters[i]);
    return out;
  };
  const auto withNonce = [&](const std::string& nonce) {
    return header({u, d, g, absl::StrCat("Nonce=\"", nonce, "\""), c});
  };
  const auto withCreated = [&](const std::string& created) {
    return header({u, d, g, n, absl::StrCat("Created=\"", created, "\"")});
  };
  std::string withNul = kSpecHeader;
  withNul.insert(withNul.find("admin") + 2, 1, '\0');

  struct Case {
    std::string name;
    std::string header;
    std::string message;  // empty: only the verdict is checked
  };
  const std::vector<Case> cases = {
      {"empty", "", "X-authenticate: expected the RestApiUsernameToken scheme"},
      {"blank", "  \t ", ""},
      {"scheme only", "RestApiUsernameToken", "X-authenticate: missing parameter Username"},
      {"wrong scheme", absl::StrReplaceAll(kSpecHeader, {{"RestApiUsernameToken", "Digest"}}),
       "X-authenticate: unknown scheme 'Digest': expected RestApiUsernameToken"},
      {"basic", "Basic YWRtaW46YWRtaW4=", ""},
      {"no space after the scheme", absl::StrCat("RestApiUsernameToken,", u), ""},
      {"missing Username", header({d, g, n, c}), "X-authenticate: missing parameter Username"},
      {"missing Domain", header({u, g, n, c}), "X-authenticate: missing parameter Domain"},
      {"missing Digest", header({u, d, n, c}), "X-authenticate: missing parameter Digest"},
      {"missing Nonce", header({u, d, g, c}), "X-authenticate: missing parameter Nonce"},
      {"missing Created", header({u, d, g, n}), "X-authenticate: missing parameter Created"},
      {"duplicated Username", header({u, d, g, n, c, u}),
       "X-authenticate: parameter Username given twice"},
      {"duplicated Nonce, other case", header({u, d, g, n, c, "nonce=\"abcdefab\""}),
       "X-authenticate: parameter Nonce given twice"},
      {"unknown parameter", header({u, d, g, n, c, "Realm=\"x\""}), ""},
      {"unterminated quote", absl::StrCat(header({u, d, g, n}), ", Created=\"", kCreated),
       "X-authenticate: unterminated quoted value of Created"},
      {"unterminated quote, escaped", header({u, d, g, n, "Created=\"x\\\""}), ""},
      {"unquoted value", header({"Username=admin", d, g, n, c}),
       "X-authenticate: expected a quoted value for Username"},
      {"no '='", header({"Username \"admin\"", d, g, n, c}), ""},
      {"no ',' between parameters", absl::StrCat("RestApiUsernameToken ", u, " ", d), ""},
      {"trailing comma", absl::StrCat(header({u, d, g, n, c}), ","), ""},
      {"empty Username", header({"Username=\"\"", d, g, n, c}),
       "X-authenticate: Username is empty"},
      {"non-hex nonce", withNonce("bfb79078ff44c35714af28b7412a702g"),
       "X-authenticate: Nonce must be 8 to 128 hex characters"},
      {"7-character nonce", withNonce("bfb7907"), ""},
      {"129-character nonce", withNonce(std::string(129, 'a')), ""},
      {"short digest",
       header({u, d, "Digest=\"+PJg7Tb3v98XnL6iJVv+v5hwhYjdzQ2tIWxvJB2cE4=\"", n, c}),
       "X-authenticate: Digest must be the base64 of a SHA-256 (44 characters)"},
      {"digest not base64",
       header({u, d, "Digest=\"+PJg7Tb3v98XnL6iJVv+v5hwhYjdzQ2tIWxvJB2cE4!=\"", n, c}), ""},
      {"bad date", withCreated("2016-13-40T99:00:00Z"),
       "X-authenticate: Created must be a UTC time as YYYY-MM-DDThh:mm:ssZ, not "
       "'2016-13-40T99:00:00Z'"},
      {"February 30", withCreated("2016-02-30T15:48:26Z"), ""},
      {"hour 24", withCreated("2016-04-29T24:00:00Z"), ""},
      {"leap second", withCreated("2016-12-31T23:59:60Z"), ""},
      {"fraction of a second", withCreated("2016-04-29T15:48:26.5Z"), ""},
      {"time zone offset", withCreated("2016-04-29T15:48:26+00:00"), ""},
      {"lower-case z", withCreated("2016-04-29T15:48:26z"), ""},
      {"space for T", withCreated("2016-04-29 15:48:26Z"), ""},
      {"year 0001", withCreated("0001-01-01T00:00:00Z"), ""},
      {"year 9999", withCreated("9999-12-31T23:59:59Z"), ""},
      {"10 kB header", absl::StrCat(kSpecHeader, std::string(10 * 1024, ' ')),
       "X-authenticate: longer than 1024 bytes"},
      {"embedded NUL", withNul, "X-authenticate: control character in the header"},
      {"line break", absl::StrReplaceAll(kSpecHeader, {{", Domain", ",\r\n Domain"}}), ""},
  };
  for (const Case& test : cases) {
    CAPTURE(test.name);
    AuthResult r = auth->verify(test.header);
    CHECK(r.verdict == AuthVerdict::kMalformed);
    CHECK(pbxd::rest::HttpStatusFor(r.verdict) == 400);
    CHECK(!r.message.empty());
    if (!test.message.empty()) CHECK(r.message == test.message);
    CHECK(r.username.empty());
  }
  CHECK(auth->liveNonces() == 0);
  CHECK(auth->verify(kSpecHeader).ok());  // none of them spent the example's nonce
}

TEST_CASE("mangled copies of the example header never crash verify()") {
  pbx::SimulatedTimeSource time;
  time.setSystemTime(At("2016-04-29T15:50:00Z"));
  auto auth = MakeAuth(time);
  std::mt19937 random(20160429);  // fixed: the same headers on every run
  int accepted = 0;
  for (int i = 0; i < 5000; ++i) {
    std::string header = kSpecHeader;
    for (int edits = 1 + static_cast<int>(random() % 4); edits > 0; --edits) {
      const size_t at = random() % (header.size() + 1);
      const char byte = static_cast<char>(random() % 256);
      switch (random() % 3) {
        case 0:
          if (at < header.size()) header[at] = byte;
          break;
        case 1:
          header.insert(at, 1, byte);
          break;
        case 2:
          if (at < header.size()) header.erase(at, 1 + random() % 8);
          break;
      }
    }
    if (auth->verify(header).ok()) ++accepted;
  }
  // Only edits the parser forgives (whitespace, the case of a name) leave a valid header,
  // and the example's nonce is accepted once at most.
  CHECK(accepted <= 1);
}

TEST_CASE("the client's header round-trips through verify()") {
  pbx::SimulatedTimeSource time;
  RestAuthOptions options;
  options.users = {{"admin", "s3cret", "default"}, {"o\"dd\\name", "pw", "default"}};
  auto auth = MakeAuth(time, options);
  auto salt = auth->salt("default");
  REQUIRE(salt.ok());

  auto nonce = pbxd::rest::MakeNonce();
  REQUIRE(nonce.ok());
  CHECK(nonce->size() == 32);
  CHECK(std::all_of(nonce->begin(), nonce->end(),
                    [](char c) { return absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f'); }));
  CHECK(*pbxd::rest::MakeNonce() != *nonce);

  const std::string created = pbxd::rest::FormatCreated(time.systemTime());
  CHECK(created == "2026-01-01T00:00:00Z");
  AuthResult r =
      auth->verify(AuthenticateHeader("admin", "s3cret", "default", *salt, *nonce, created));
  CHECK_MESSAGE(r.ok(), r.message);
  CHECK(r.username == "admin");

  // A `"` and a `\` in a value are escaped by the client and unescaped by the server.
  AuthResult odd = auth->verify(
      AuthenticateHeader("o\"dd\\name", "pw", "default", *salt, *pbxd::rest::MakeNonce(), created));
  CHECK_MESSAGE(odd.ok(), odd.message);
  CHECK(odd.username == "o\"dd\\name");
}

TEST_CASE("salts: configured, or random per domain and stable; unknown domains not found") {
  pbx::SimulatedTimeSource time;
  RestAuthOptions options = ExampleOptions();
  options.users.push_back({"carol", "pw", "third"});
  options.salts["empty-tenant"] = "a-salt-for-later";
  auto auth = MakeAuth(time, options);

  CHECK(*auth->salt("default") == kSalt);
  CHECK(*auth->salt("empty-tenant") == "a-salt-for-later");
  auto other = auth->salt("other");
  auto third = auth->salt("third");
  REQUIRE(other.ok());
  REQUIRE(third.ok());
  CHECK(other->size() == 32);
  CHECK(std::all_of(other->begin(), other->end(), [](char c) { return absl::ascii_isxdigit(c); }));
  CHECK(*other != *third);
  CHECK(*auth->salt("other") == *other);
  CHECK(absl::IsNotFound(auth->salt("nowhere").status()));
  CHECK(absl::IsNotFound(auth->salt("").status()));

  // Another authenticator draws other salts.
  CHECK(*MakeAuth(time)->salt("other") != *other);
}

TEST_CASE("Create() refuses an inconsistent configuration") {
  pbx::SimulatedTimeSource time;
  const auto refuses = [&](RestAuthOptions options) {
    return absl::IsInvalidArgument(RestAuthenticator::Create(options, time).status());
  };
  RestAuthOptions twice = ExampleOptions();
  twice.users.push_back({"alice", "other-password", "default"});
  CHECK(refuses(twice));
  CHECK(RestAuthenticator::Create(twice, time).status().message() ==
        "REST user alice listed twice in domain default");

  RestAuthOptions emptyName = ExampleOptions();
  emptyName.users.push_back({"", "pw", "default"});
  CHECK(refuses(emptyName));
  RestAuthOptions emptyDomain = ExampleOptions();
  emptyDomain.users.push_back({"dave", "pw", ""});
  CHECK(refuses(emptyDomain));
  RestAuthOptions emptySalt = ExampleOptions();
  emptySalt.salts["default"] = "";
  CHECK(refuses(emptySalt));
  RestAuthOptions noNonces = ExampleOptions();
  noNonces.maxLiveNonces = 0;
  CHECK(refuses(noNonces));

  // The same username in two domains is two users.
  RestAuthOptions twoDomains = ExampleOptions();
  twoDomains.users.push_back({"alice", "pw", "other"});
  CHECK(RestAuthenticator::Create(twoDomains, time).ok());
}

TEST_CASE("past maxLiveNonces, requests are refused until nonces expire") {
  pbx::SimulatedTimeSource time;
  RestAuthOptions options = ExampleOptions();
  options.maxLiveNonces = 3;
  auto auth = MakeAuth(time, options);
  CHECK(auth->verify(AliceHeader(time, "aaaaaaa1")).ok());
  time.advance(1min);
  CHECK(auth->verify(AliceHeader(time, "aaaaaaa2")).ok());
  CHECK(auth->verify(AliceHeader(time, "aaaaaaa3")).ok());

  AuthResult full = auth->verify(AliceHeader(time, "aaaaaaa4"));
  CHECK(full.verdict == AuthVerdict::kNonceMemoryFull);
  CHECK(full.message == "more than 3 requests in the last 300 s: try again later");
  CHECK(pbxd::rest::HttpStatusFor(full.verdict) == 503);
  CHECK(auth->liveNonces() == 3);

  time.advance(4min + 1s);  // the first nonce is forgotten, the other two are not
  CHECK(auth->verify(AliceHeader(time, "aaaaaaa4")).ok());
  CHECK(auth->verify(AliceHeader(time, "aaaaaaa5")).verdict == AuthVerdict::kNonceMemoryFull);
  time.advance(10min);
  CHECK(auth->verify(AliceHeader(time, "aaaaaaa5")).ok());
  CHECK(auth->liveNonces() == 1);
}

TEST_CASE("verify() from several threads: one header is accepted exactly once") {
  pbx::SimulatedTimeSource time;
  auto auth = MakeAuth(time);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 200;
  const std::string shared = AliceHeader(time, "5ba4ed00");
  std::atomic<int> sharedAccepted{0};
  std::atomic<int> ownAccepted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        if (auth->verify(shared).ok()) ++sharedAccepted;
        const std::string nonce = absl::StrCat("c0ffee", t, "0", i);
        if (auth->verify(AliceHeader(time, nonce)).ok()) ++ownAccepted;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(sharedAccepted == 1);
  CHECK(ownAccepted == kThreads * kPerThread);
  CHECK(auth->liveNonces() == 1 + kThreads * kPerThread);
}

TEST_CASE("Created is formatted and parsed as YYYY-MM-DDThh:mm:ssZ") {
  CHECK(pbxd::rest::FormatCreated(At(kCreated)) == kCreated);
  CHECK(pbxd::rest::FormatCreated(At(kCreated) + 999ms) == kCreated);  // truncated
  CHECK(pbxd::rest::FormatCreated(At("2024-02-29T23:59:59Z")) == "2024-02-29T23:59:59Z");
  CHECK(At("1970-01-01T00:00:00Z") == pbx::SystemTime());
  CHECK(At("2016-04-29T15:48:26Z").time_since_epoch() == 1461944906s);
  CHECK_FALSE(pbxd::rest::ParseCreated("2023-02-29T00:00:00Z").ok());
}

TEST_CASE("verdicts have names and HTTP statuses") {
  CHECK(pbxd::rest::VerdictName(AuthVerdict::kOk) == "ok");
  CHECK(pbxd::rest::VerdictName(AuthVerdict::kMalformed) == "malformed");
  CHECK(pbxd::rest::VerdictName(AuthVerdict::kUnknownUser) == "unknown-user");
  CHECK(pbxd::rest::VerdictName(AuthVerdict::kBadDigest) == "bad-digest");
  CHECK(pbxd::rest::VerdictName(AuthVerdict::kReplayedNonce) == "replayed-nonce");
  CHECK(pbxd::rest::VerdictName(AuthVerdict::kStaleTimestamp) == "stale-timestamp");
  CHECK(pbxd::rest::VerdictName(AuthVerdict::kNonceMemoryFull) == "nonce-memory-full");
  CHECK(pbxd::rest::HttpStatusFor(AuthVerdict::kStaleTimestamp) == 401);
  CHECK(pbxd::rest::HttpStatusFor(AuthVerdict::kReplayedNonce) == 401);
}
