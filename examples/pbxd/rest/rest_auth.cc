#include "examples/pbxd/rest/rest_auth.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace pbxd::rest {
namespace {

using std::chrono::seconds;

// Debian's Abseil has a string_view of its own (ABSL_OPTION_USE_STD_STRING_VIEW is 0), which
// StrCat() and the containers take; the API here speaks std::string_view.
absl::string_view View(std::string_view text) { return {text.data(), text.size()}; }

// A nonce longer than this is malformed: the spec sets only a minimum, and every remembered
// nonce costs memory (maxLiveNonces of them at most).
constexpr size_t kMinNonceLength = 8;
constexpr size_t kMaxNonceLength = 128;
// base64 of the 32 bytes of a SHA-256: 43 characters and one '='.
constexpr size_t kDigestLength = 44;
constexpr size_t kSaltBytes = 16;   // 32 hex characters
constexpr size_t kNonceBytes = 16;  // 32 hex characters, as in the spec's example
// The years ParseCreated() takes: a nanosecond SystemTime ends in 2262.
constexpr int kMinYear = 1970;
constexpr int kMaxYear = 2200;

std::string Hex(const unsigned char* data, size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = kHex[data[i] >> 4];
    out[2 * i + 1] = kHex[data[i] & 0xF];
  }
  return out;
}

// The 32 raw bytes of SHA-256(data).
std::string Sha256(std::string_view data) {
  // Fetched once: EVP_sha256() would look the algorithm up in the provider on every digest.
  static EVP_MD* const kFetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  const EVP_MD* sha256 = kFetched != nullptr ? kFetched : EVP_sha256();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &size, sha256, nullptr) != 1) {
    // SHA-256 on a buffer in memory fails only when OpenSSL is broken or out of memory;
    // carrying on would authenticate against garbage.
    std::fprintf(stderr, "pbxd: OpenSSL could not compute a SHA-256\n");
    std::abort();
  }
  return std::string(reinterpret_cast<const char*>(digest), size);
}

absl::StatusOr<std::string> RandomHex(size_t bytes) {
  std::array<unsigned char, 64> buffer;
  bytes = std::min(bytes, buffer.size());
  if (RAND_bytes(buffer.data(), static_cast<int>(bytes)) != 1)
    return absl::InternalError("OpenSSL's random generator has no entropy");
  return Hex(buffer.data(), bytes);
}

// Constant time in the contents, so the time a refusal takes says nothing about how much of
// the digest was right.
bool SafeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

// Control characters, horizontal tab excepted (it is whitespace in HTTP).
bool HasControlCharacter(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && u != '\t') || u == 0x7F;
  });
}

bool IsHex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return absl::ascii_isxdigit(static_cast<unsigned char>(c)); });
}

bool IsBase64Digest(std::string_view text) {
  if (text.size() != kDigestLength || text.back() != '=') return false;
  return std::all_of(text.begin(), text.end() - 1, [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/';
  });
}

// RFC 9110 token characters, for the scheme and the parameter names.
bool IsTokenChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         absl::string_view("!#$%&'*+-.^_`|~").find(c) != absl::string_view::npos;
}

// A value as a quoted-string: `"` and `\` escaped with `\`.
std::string Quote(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

// The five parameters of the header, in the order the spec writes them.
enum Parameter { kUsername, kDomain, kDigest, kNonce, kCreated, kParameterCount };
constexpr std::array<absl::string_view, kParameterCount> kParameterNames = {
    "Username", "Domain", "Digest", "Nonce", "Created"};

struct ParsedHeader {
  std::array<std::string, kParameterCount> values;
  pbx::SystemTime created;
};

// Reads `RestApiUsernameToken name="value", ...`. Whitespace (spaces, tabs) is optional
// around `,` and `=`; names are matched ignoring case, as HTTP does for auth parameters.
class HeaderParser {
 public:
  explicit HeaderParser(absl::string_view text) : text_(text) {}

  absl::StatusOr<ParsedHeader> parse() {
    skipWhitespace();
    absl::string_view scheme = token();
    if (scheme.empty()) return error("expected the RestApiUsernameToken scheme");
    if (!absl::EqualsIgnoreCase(scheme, View(kAuthenticateScheme))) {
      return error(
          absl::StrCat("unknown scheme '", scheme, "': expected ", View(kAuthenticateScheme)));
    }
    if (!atEnd() && !isWhitespace(text_[pos_])) return error("expected a space after the scheme");

    ParsedHeader header;
    std::array<bool, kParameterCount> seen{};
    skipWhitespace();
    while (!atEnd()) {
      absl::string_view name = token();
      if (name.empty()) return error(absl::StrCat("expected a parameter name at offset ", pos_));
      auto known =
          std::find_if(kParameterNames.begin(), kParameterNames.end(),
                       [&](absl::string_view p) { return absl::EqualsIgnoreCase(p, name); });
      if (known == kParameterNames.end()) {
        return error(absl::StrCat("unknown parameter '", name,
                                  "' (expected Username, Domain, Digest, Nonce and Created)"));
      }
      const auto index = static_cast<size_t>(known - kParameterNames.begin());
      if (seen[index]) return error(absl::StrCat("parameter ", *known, " given twice"));
      seen[index] = true;

      skipWhitespace();
      if (!consume('=')) return error(absl::StrCat("expected '=' after ", *known));
      skipWhitespace();
      std::optional<std::string> value = quotedString();
      if (!value) {
        return error(atEnd() ? absl::StrCat("unterminated quoted value of ", *known)
                             : absl::StrCat("expected a quoted value for ", *known));
      }
      header.values[index] = std::move(*value);

      skipWhitespace();
      if (atEnd()) break;
      if (!consume(',')) return error(absl::StrCat("expected ',' after the value of ", *known));
      skipWhitespace();
      if (atEnd()) return error("expected a parameter after the last ','");
    }

    for (size_t i = 0; i < kParameterCount; ++i) {
      if (!seen[i]) return error(absl::StrCat("missing parameter ", kParameterNames[i]));
    }
    return validate(std::move(header));
  }

 private:
  static bool isWhitespace(char c) { return c == ' ' || c == '\t'; }
  bool atEnd() const { return pos_ >= text_.size(); }
  void skipWhitespace() {
    while (!atEnd() && isWhitespace(text_[pos_])) ++pos_;
  }
  bool consume(char c) {
    if (atEnd() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }
  absl::string_view token() {
    size_t start = pos_;
    while (!atEnd() && IsTokenChar(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }
  // nullopt when there is no opening quote or no closing one.
  std::optional<std::string> quotedString() {
    if (!consume('"')) return std::nullopt;
    std::string value;
    while (!atEnd()) {
      char c = text_[pos_++];
      if (c == '"') return value;
      if (c == '\\') {
        if (atEnd()) break;
        c = text_[pos_++];
      }
      value += c;
    }
    return std::nullopt;
  }

  static absl::Status error(absl::string_view message) {
    return absl::InvalidArgumentError(absl::StrCat("X-authenticate: ", message));
  }

  static absl::StatusOr<ParsedHeader> validate(ParsedHeader header) {
    if (header.values[kUsername].empty()) return error("Username is empty");
    if (header.values[kDomain].empty()) return error("Domain is empty");
    const std::string& nonce = header.values[kNonce];
    if (nonce.size() < kMinNonceLength || nonce.size() > kMaxNonceLength || !IsHex(nonce)) {
      return error(absl::StrCat("Nonce must be ", kMinNonceLength, " to ", kMaxNonceLength,
                                " hex characters"));
    }
    if (!IsBase64Digest(header.values[kDigest])) {
      return error("Digest must be the base64 of a SHA-256 (44 characters)");
    }
    auto created = ParseCreated(header.values[kCreated]);
    if (!created.ok()) return error(created.status().message());
    header.created = *created;
    return header;
  }

  absl::string_view text_;
  size_t pos_ = 0;
};

// The key of a remembered nonce: a nonce is a replay only for the user who spent it, so two
// clients that happen to draw the same short nonce do not refuse each other. Length-prefixed,
// so no choice of names can make two keys meet.
std::string NonceKey(std::string_view domain, std::string_view username, std::string_view nonce) {
  return absl::StrCat(domain.size(), ":", View(domain), username.size(), ":", View(username),
                      View(nonce));
}

AuthResult Refuse(AuthVerdict verdict, std::string message) {
  AuthResult result;
  result.verdict = verdict;
  result.message = std::move(message);
  return result;
}

// One message for both: the API does not tell a caller which users exist.
constexpr std::string_view kBadCredentials = "unknown user or wrong password";

}  // namespace

std::string_view VerdictName(AuthVerdict verdict) {
  switch (verdict) {
    case AuthVerdict::kOk:
      return "ok";
    case AuthVerdict::kMalformed:
      return "malformed";
    case AuthVerdict::kUnknownUser:
      return "unknown-user";
    case AuthVerdict::kBadDigest:
      return "bad-digest";
    case AuthVerdict::kReplayedNonce:
      return "replayed-nonce";
    case AuthVerdict::kStaleTimestamp:
      return "stale-timestamp";
    case AuthVerdict::kNonceMemoryFull:
      return "nonce-memory-full";
  }
  return "unknown";
}

int HttpStatusFor(AuthVerdict verdict) {
  switch (verdict) {
    case AuthVerdict::kOk:
      return 200;
    case AuthVerdict::kMalformed:
      return 400;
    case AuthVerdict::kNonceMemoryFull:
      return 503;
    case AuthVerdict::kUnknownUser:
    case AuthVerdict::kBadDigest:
    case AuthVerdict::kReplayedNonce:
    case AuthVerdict::kStaleTimestamp:
      return 401;
  }
  return 401;
}

absl::StatusOr<std::unique_ptr<RestAuthenticator>> RestAuthenticator::Create(
    const RestAuthOptions& options, const pbx::TimeSource& time) {
  if (options.maxLiveNonces == 0) return absl::InvalidArgumentError("maxLiveNonces is 0");
  if (options.maxHeaderBytes == 0) return absl::InvalidArgumentError("maxHeaderBytes is 0");
  if (options.maxClockSkew < seconds(0) || options.nonceLifetime < seconds(0))
    return absl::InvalidArgumentError("maxClockSkew and nonceLifetime cannot be negative");

  absl::flat_hash_map<std::string, DomainUsers> domains;
  for (const auto& [domain, salt] : options.salts) {
    if (domain.empty() || HasControlCharacter(domain))
      return absl::InvalidArgumentError(absl::StrCat("bad domain name '", domain, "'"));
    if (salt.empty() || HasControlCharacter(salt))
      return absl::InvalidArgumentError(
          absl::StrCat("the salt of domain ", domain, " is empty or has control characters"));
    domains[domain].salt = salt;
  }
  for (const RestUser& user : options.users) {
    if (user.username.empty() || user.domain.empty())
      return absl::InvalidArgumentError("a REST user has an empty username or domain");
    if (HasControlCharacter(user.username) || HasControlCharacter(user.domain)) {
      return absl::InvalidArgumentError(
          absl::StrCat("REST user ", user.username, ": control character in username or domain"));
    }
    DomainUsers& domain = domains[user.domain];
    if (domain.salt.empty()) {
      auto salt = RandomHex(kSaltBytes);
      if (!salt.ok()) return salt.status();
      domain.salt = *std::move(salt);
    }
    auto [it, inserted] =
        domain.digestPasswords.emplace(user.username, DigestPassword(user.password, domain.salt));
    if (!inserted) {
      return absl::InvalidArgumentError(
          absl::StrCat("REST user ", user.username, " listed twice in domain ", user.domain));
    }
  }
  return std::unique_ptr<RestAuthenticator>(
      new RestAuthenticator(options, time, std::move(domains)));
}

RestAuthenticator::RestAuthenticator(const RestAuthOptions& options, const pbx::TimeSource& time,
                                     absl::flat_hash_map<std::string, DomainUsers> domains)
    : time_(time),
      maxClockSkew_(options.maxClockSkew),
      nonceLifetime_(options.nonceLifetime),
      maxLiveNonces_(options.maxLiveNonces),
      maxHeaderBytes_(options.maxHeaderBytes),
      domains_(std::move(domains)) {}

absl::StatusOr<std::string> RestAuthenticator::salt(std::string_view domain) const {
  auto it = domains_.find(View(domain));
  if (it == domains_.end()) return absl::NotFoundError(absl::StrCat("no domain ", View(domain)));
  return it->second.salt;
}

AuthResult RestAuthenticator::verify(std::string_view headerValue) {
  if (headerValue.size() > maxHeaderBytes_) {
    return Refuse(AuthVerdict::kMalformed,
                  absl::StrCat("X-authenticate: longer than ", maxHeaderBytes_, " bytes"));
  }
  if (HasControlCharacter(headerValue))
    return Refuse(AuthVerdict::kMalformed, "X-authenticate: control character in the header");
  auto parsed = HeaderParser(View(headerValue)).parse();
  if (!parsed.ok()) return Refuse(AuthVerdict::kMalformed, std::string(parsed.status().message()));
  const std::string& username = parsed->values[kUsername];
  const std::string& domain = parsed->values[kDomain];
  const std::string& nonce = parsed->values[kNonce];
  const std::string& created = parsed->values[kCreated];

  // In whole seconds, as Created is, so the boundaries do not depend on the clock's fraction
  // of a second (and a header and the memory of its nonce end in the same second).
  const pbx::SystemTime now = std::chrono::floor<seconds>(time_.systemTime());
  if (parsed->created < now - maxClockSkew_ || parsed->created > now + maxClockSkew_) {
    return Refuse(AuthVerdict::kStaleTimestamp,
                  absl::StrCat("Created ", created, " is more than ", maxClockSkew_.count(),
                               " s from the server's time ", FormatCreated(now)));
  }

  const std::string* digestPassword = nullptr;
  if (auto d = domains_.find(domain); d != domains_.end()) {
    if (auto u = d->second.digestPasswords.find(username); u != d->second.digestPasswords.end())
      digestPassword = &u->second;
  }
  // An unknown user costs the same SHA-256 as a known one: the time of a refusal does not
  // tell which users exist.
  const std::string expected =
      RequestDigest(nonce, digestPassword != nullptr ? *digestPassword : std::string_view(),
                    username, domain, created);
  if (digestPassword == nullptr)
    return Refuse(AuthVerdict::kUnknownUser, std::string(kBadCredentials));
  if (!SafeEquals(expected, parsed->values[kDigest]))
    return Refuse(AuthVerdict::kBadDigest, std::string(kBadCredentials));

  std::string key = NonceKey(domain, username, nonce);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pruneLocked(now);
    if (nonces_.contains(key)) {
      return Refuse(AuthVerdict::kReplayedNonce,
                    absl::StrCat("nonce already used in the last ", nonceLifetime_.count(),
                                 " s: make a new nonce for every request"));
    }
    if (nonces_.size() >= maxLiveNonces_) {
      return Refuse(AuthVerdict::kNonceMemoryFull,
                    absl::StrCat("more than ", maxLiveNonces_, " requests in the last ",
                                 nonceLifetime_.count(), " s: try again later"));
    }
    // Kept while this header could still pass the Created check, and never less than the
    // spec's lifetime.
    const pbx::SystemTime until = std::max(now + nonceLifetime_, parsed->created + maxClockSkew_);
    auto [it, inserted] = nonces_.emplace(std::move(key), until);
    byExpiry_.emplace(until, &it->first);
  }

  AuthResult result;
  result.verdict = AuthVerdict::kOk;
  result.username = username;
  result.domain = domain;
  return result;
}

size_t RestAuthenticator::liveNonces() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return nonces_.size();
}

void RestAuthenticator::pruneLocked(pbx::SystemTime now) {
  // A nonce is refused up to and including its time: forgotten only once that has passed.
  while (!byExpiry_.empty() && byExpiry_.begin()->first < now) {
    nonces_.erase(nonces_.find(*byExpiry_.begin()->second));
    byExpiry_.erase(byExpiry_.begin());
  }
}

std::string DigestPassword(std::string_view password, std::string_view salt) {
  std::string hash = Sha256(absl::StrCat(View(password), "{", View(salt), "}"));
  return Hex(reinterpret_cast<const unsigned char*>(hash.data()), hash.size());
}

std::string RequestDigest(std::string_view nonce, std::string_view digestPassword,
                          std::string_view username, std::string_view domain,
                          std::string_view created) {
  return absl::Base64Escape(Sha256(absl::StrCat(View(nonce), View(digestPassword), View(username),
                                                View(domain), View(created))));
}

std::string AuthenticateHeader(std::string_view username, std::string_view password,
                               std::string_view domain, std::string_view salt,
                               std::string_view nonce, std::string_view created) {
  const std::string digest =
      RequestDigest(nonce, DigestPassword(password, salt), username, domain, created);
  return absl::StrCat(View(kAuthenticateScheme), " Username=", Quote(username),
                      ", Domain=", Quote(domain), ", Digest=", Quote(digest),
                      ", Nonce=", Quote(nonce), ", Created=", Quote(created));
}

absl::StatusOr<std::string> MakeNonce() { return RandomHex(kNonceBytes); }

std::string FormatCreated(pbx::SystemTime time) {
  const auto secs = std::chrono::floor<seconds>(time);
  const auto days = std::chrono::floor<std::chrono::days>(secs);
  const std::chrono::year_month_day date{days};
  const std::chrono::hh_mm_ss clock{secs - days};
  return absl::StrFormat("%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
                         static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                         clock.hours().count(), clock.minutes().count(), clock.seconds().count());
}

absl::StatusOr<pbx::SystemTime> ParseCreated(std::string_view created) {
  const auto bad = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat("Created must be a UTC time as YYYY-MM-DDThh:mm:ssZ, not '",
                     View(created.substr(0, 40)), "'"));
  };
  static constexpr std::string_view kPattern = "dddd-dd-ddTdd:dd:ddZ";
  if (created.size() != kPattern.size()) return bad();
  for (size_t i = 0; i < kPattern.size(); ++i) {
    const bool ok = kPattern[i] == 'd' ? absl::ascii_isdigit(static_cast<unsigned char>(created[i]))
                                       : created[i] == kPattern[i];
    if (!ok) return bad();
  }
  const auto number = [&](size_t pos, size_t len) {
    int n = 0;
    for (size_t i = pos; i < pos + len; ++i) n = n * 10 + (created[i] - '0');
    return n;
  };
  const int year = number(0, 4), month = number(5, 2), day = number(8, 2);
  const int hour = number(11, 2), minute = number(14, 2), second = number(17, 2);
  const std::chrono::year_month_day date{std::chrono::year(year),
                                         std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(day))};
  if (year < kMinYear || year > kMaxYear || !date.ok() || hour > 23 || minute > 59 || second > 59)
    return bad();
  return pbx::SystemTime(std::chrono::sys_days(date) + std::chrono::hours(hour) +
                         std::chrono::minutes(minute) + seconds(second));
}

}  // namespace pbxd::rest
