// RestAuthenticator: the authentication of pbxd's REST API, the seed PBX's single-use
// `X-authenticate` header (spec: fax-acd-recording-api-catalog.md §4.2).
//
// Every request carries its own credentials; there is no challenge and no session:
//
//   X-authenticate: RestApiUsernameToken Username="admin", Domain="default",
//       Digest="+PJg7Tb3v98XnL6iJVv+v5hwhYjdzQ2tIWxvJB2cE40=",
//       Nonce="bfb79078ff44c35714af28b7412a702b", Created="2016-04-29T15:48:26Z"
//
//   digestPassword = hex(sha256(password + "{" + salt + "}"))       salt: one per domain
//   Digest         = base64(sha256(Nonce + digestPassword + Username + Domain + Created))
//
// The salt of a domain is public (the server serves it anonymously at /rest/salt/<domain>),
// so a client needs only its password to compute the digest. The server refuses a header
// whose Created is more than 5 minutes from its own clock, and a nonce it has accepted in
// the last 5 minutes (a replay). This file has no HTTP in it: the REST server hands the
// header value to verify() and turns the verdict into a status and a JSON error.
//
//   pbxd::rest::RestAuthOptions options;
//   options.users = {{"admin", "secret", "default"}};
//   auto auth = pbxd::rest::RestAuthenticator::Create(options, timeSource);
//   if (!auth.ok()) return auth.status();
//   ...
//   // GET /rest/salt/<domain>:
//   absl::StatusOr<std::string> salt = (*auth)->salt(domain);     // NotFound: 404
//   // any other request:
//   pbxd::rest::AuthResult r = (*auth)->verify(request.get_header_value("X-authenticate"));
//   if (!r.ok()) reply(HttpStatusFor(r.verdict), {{"error", r.message}});
//   else serve the request as r.username in r.domain;
//
// A request without the header at all is for the server to refuse with 401 before calling
// verify() (verify("") says kMalformed, 400).
//
// The client side (pbxctl) builds the header with AuthenticateHeader(), a fresh MakeNonce()
// and FormatCreated() of its clock.
//
// The clock is the TimeSource given to Create() (its systemTime(), in whole seconds), which
// must outlive the authenticator; nothing here reads the clock itself.
//
// Thread-safety: a RestAuthenticator is immutable but for its nonce memory, which a mutex
// guards: verify() and salt() may be called from any number of threads at once. The free
// functions are pure (MakeNonce() reads OpenSSL's thread-safe random generator).
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
#include "absl/status/statusor.h"
#include "pbx/base/time_source.h"

namespace pbxd::rest {

inline constexpr std::string_view kAuthenticateHeader = "X-authenticate";
inline constexpr std::string_view kAuthenticateScheme = "RestApiUsernameToken";

// One user allowed to use the API. Username and domain are compared exactly (case matters).
struct RestUser {
  std::string username;
  std::string password;
  std::string domain;  // the tenant; "default" on a single-tenant PBX
};

struct RestAuthOptions {
  std::vector<RestUser> users;
  // Salts by domain. A domain that has users but no salt here gets 32 random hex characters
  // at Create(), kept for the authenticator's life (a restart changes it: clients fetch the
  // salt again). A salt given here may serve a domain without users yet.
  std::map<std::string, std::string> salts;
  // How far Created may be from the server's clock, either way; exactly this far is accepted.
  // Times are compared in whole seconds (the server's time truncated, as Created is).
  std::chrono::seconds maxClockSkew{300};
  // How long an accepted nonce is refused as a replay (by the same user: two users may draw
  // the same nonce). Exactly this long after it was accepted it is still refused; a second
  // later it may be used again. A nonce whose Created is in the future is kept until
  // Created + maxClockSkew, so a header never outlives the memory of its nonce.
  std::chrono::seconds nonceLifetime{300};
  // Live (remembered) nonces at most: past this, verify() refuses with kNonceMemoryFull
  // rather than grow. At 100 to 300 bytes a nonce, the default holds 10 to 30 MB at worst.
  size_t maxLiveNonces = 100000;
  // Longest header value accepted; longer is kMalformed before any parsing.
  size_t maxHeaderBytes = 1024;
};

enum class AuthVerdict {
  kOk,
  kMalformed,        // not a well-formed RestApiUsernameToken header (a Nonce of 8 to 128 hex
                     // characters, a Created of YYYY-MM-DDThh:mm:ssZ, ...): 400
  kUnknownUser,      // no such user in that domain: 401
  kBadDigest,        // the digest does not match (wrong password or salt): 401
  kReplayedNonce,    // this user's nonce was accepted less than nonceLifetime ago: 401
  kStaleTimestamp,   // Created is more than maxClockSkew from the server's clock: 401
  kNonceMemoryFull,  // maxLiveNonces nonces are remembered: 503, the client may retry later
};

// "ok", "malformed", "unknown-user", ... for logs and metrics labels.
std::string_view VerdictName(AuthVerdict verdict);
// The HTTP status a REST server answers a verdict with: 200, 400, 401 or 503.
int HttpStatusFor(AuthVerdict verdict);

struct AuthResult {
  AuthVerdict verdict = AuthVerdict::kMalformed;
  // For the client, in the JSON error body: says what was wrong without giving anything away
  // (kUnknownUser and kBadDigest read the same, so the API cannot be asked which users
  // exist; the verdict tells the log). Empty when kOk.
  std::string message;
  // Who was authenticated; empty unless kOk.
  std::string username;
  std::string domain;

  bool ok() const { return verdict == AuthVerdict::kOk; }
};

class RestAuthenticator {
 public:
  // InvalidArgument for an empty username or domain, a user listed twice in a domain, an
  // empty salt or one with control characters, or a zero limit; Internal when no random salt
  // could be made. Passwords are not kept: only each user's digestPassword.
  static absl::StatusOr<std::unique_ptr<RestAuthenticator>> Create(const RestAuthOptions& options,
                                                                   const pbx::TimeSource& time);

  // The salt of `domain`, for /rest/salt/<domain>; NotFound for a domain not configured.
  absl::StatusOr<std::string> salt(std::string_view domain) const;

  // Checks one X-authenticate header value (without the "X-authenticate:" name). On kOk the
  // nonce is remembered; on any refusal nothing is, so a forged header cannot spend the
  // nonce of a legitimate one. Checks in order: form, Created, user, digest, replay.
  AuthResult verify(std::string_view headerValue);

  // Nonces remembered now (expired ones may linger until the next verify()).
  size_t liveNonces() const;

 private:
  struct DomainUsers {
    std::string salt;
    absl::flat_hash_map<std::string, std::string> digestPasswords;  // by username
  };

  RestAuthenticator(const RestAuthOptions& options, const pbx::TimeSource& time,
                    absl::flat_hash_map<std::string, DomainUsers> domains);

  // Forgets the nonces whose time is up.
  void pruneLocked(pbx::SystemTime now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  const pbx::TimeSource& time_;
  const std::chrono::seconds maxClockSkew_;
  const std::chrono::seconds nonceLifetime_;
  const size_t maxLiveNonces_;
  const size_t maxHeaderBytes_;
  const absl::flat_hash_map<std::string, DomainUsers> domains_;

  // A std::mutex, as elsewhere in pbxkit: Debian's Abseil is not built for ThreadSanitizer,
  // which would not see an absl::Mutex being taken and report races in the PBX_TSAN build.
  mutable std::mutex mutex_;
  // Accepted nonces, keyed by domain, username and nonce (see nonceKey in the .cc), with the
  // wall-clock time until which each is refused. A node map: byExpiry_ points at its keys.
  absl::node_hash_map<std::string, pbx::SystemTime> nonces_ ABSL_GUARDED_BY(mutex_);
  std::multimap<pbx::SystemTime, const std::string*> byExpiry_ ABSL_GUARDED_BY(mutex_);
};

// The client side, for pbxctl, and the steps of the computation for tests.

// hex(sha256(password + "{" + salt + "}")), lower case.
std::string DigestPassword(std::string_view password, std::string_view salt);
// base64(sha256(nonce + digestPassword + username + domain + created)).
std::string RequestDigest(std::string_view nonce, std::string_view digestPassword,
                          std::string_view username, std::string_view domain,
                          std::string_view created);
// The whole header value: RestApiUsernameToken Username="...", Domain="...", Digest="...",
// Nonce="...", Created="..." (a `"` or `\` in a value is escaped with `\`).
std::string AuthenticateHeader(std::string_view username, std::string_view password,
                               std::string_view domain, std::string_view salt,
                               std::string_view nonce, std::string_view created);
// 32 random hex characters, new for every request. Internal when OpenSSL has no entropy.
absl::StatusOr<std::string> MakeNonce();
// `time` as YYYY-MM-DDThh:mm:ssZ (UTC, whole seconds, truncated).
std::string FormatCreated(pbx::SystemTime time);
// The inverse: exactly YYYY-MM-DDThh:mm:ssZ with a real calendar date; InvalidArgument else.
absl::StatusOr<pbx::SystemTime> ParseCreated(std::string_view created);

}  // namespace pbxd::rest
