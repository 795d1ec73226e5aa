#include "pbx/sip/digest.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace pbx::sip {
namespace {

std::string Hex(const unsigned char* data, size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = kHex[data[i] >> 4];
    out[2 * i + 1] = kHex[data[i] & 0xF];
  }
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

// Constant-time comparison for response digests.
bool SafeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(std::tolower(static_cast<unsigned char>(a[i])) ^
                                       std::tolower(static_cast<unsigned char>(b[i])));
  }
  return diff == 0;
}

}  // namespace

std::string Md5Hex(std::string_view data) {
  // Fetched once: EVP_md5() would look the algorithm up in the provider on every digest.
  static EVP_MD* const kFetched = EVP_MD_fetch(nullptr, "MD5", nullptr);
  const EVP_MD* md5 = kFetched != nullptr ? kFetched : EVP_md5();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, md5, nullptr);
  return Hex(digest, size);
}

std::string DigestResponse(const DigestCredentials& c, std::string_view method,
                           std::string_view password) {
  std::string ha1 = Md5Hex(absl::StrCat(c.username, ":", c.realm, ":", std::string(password)));
  std::string ha2 = Md5Hex(absl::StrCat(std::string(method), ":", c.uri));
  if (c.qop.empty()) return Md5Hex(absl::StrCat(ha1, ":", c.nonce, ":", ha2));
  return Md5Hex(
      absl::StrCat(ha1, ":", c.nonce, ":", c.nonceCount, ":", c.cnonce, ":", c.qop, ":", ha2));
}

std::string DigestChallenge::headerValue() const {
  std::string out = absl::StrCat("Digest realm=\"", realm, "\", nonce=\"", nonce, "\"");
  if (!opaque.empty()) absl::StrAppend(&out, ", opaque=\"", opaque, "\"");
  if (!algorithm.empty()) absl::StrAppend(&out, ", algorithm=", algorithm);
  if (!qop.empty()) absl::StrAppend(&out, ", qop=\"", qop, "\"");
  if (stale) absl::StrAppend(&out, ", stale=true");
  return out;
}

DigestAuthenticator::DigestAuthenticator(const TimeSource& time, std::string realm,
                                         std::chrono::seconds nonceLifetime)
    : time_(time), realm_(std::move(realm)), nonceLifetime_(nonceLifetime) {
  unsigned char key[16];
  if (RAND_bytes(key, sizeof key) != 1) {
    // No entropy source: fall back to a key derived from the clock; nonces stay unforgeable
    // enough for a process lifetime, and this only happens on a broken system.
    auto now = time_.systemTime().time_since_epoch().count();
    for (size_t i = 0; i < sizeof key; ++i) key[i] = static_cast<unsigned char>(now >> (i % 8));
  }
  secret_ = Hex(key, sizeof key);
}

std::string DigestAuthenticator::makeNonce(int64_t seconds) const {
  std::string stamp = absl::StrCat(seconds);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  std::string input = absl::StrCat(stamp, ":", realm_);
  HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &size);
  return absl::StrCat(stamp, ".", Hex(mac, 12));
}

std::string DigestAuthenticator::nonceFor(int64_t seconds) const {
  CachedNonce& slot = cache_[static_cast<uint64_t>(seconds) % cache_.size()];
  {
    std::lock_guard<std::mutex> lock(cacheMutex_);
    if (slot.seconds == seconds) return slot.nonce;
  }
  std::string nonce = makeNonce(seconds);
  std::lock_guard<std::mutex> lock(cacheMutex_);
  slot.seconds = seconds;
  slot.nonce = nonce;
  return nonce;
}

DigestChallenge DigestAuthenticator::challenge(bool stale) const {
  auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(time_.monotonicTime().time_since_epoch())
          .count();
  DigestChallenge c;
  c.realm = realm_;
  c.nonce = nonceFor(seconds);
  c.stale = stale;
  return c;
}

std::optional<std::chrono::seconds> DigestAuthenticator::nonceAge(
    const DigestCredentials& c) const {
  size_t dot = c.nonce.find('.');
  int64_t stamp = 0;
  if (c.realm != realm_ || dot == std::string::npos ||
      !absl::SimpleAtoi(c.nonce.substr(0, dot), &stamp) || nonceFor(stamp) != c.nonce)
    return std::nullopt;
  auto now =
      std::chrono::duration_cast<std::chrono::seconds>(time_.monotonicTime().time_since_epoch())
          .count();
  return std::chrono::seconds(now - stamp);
}

DigestVerdict DigestAuthenticator::verify(const DigestCredentials& c, std::string_view method,
                                          std::string_view password) const {
  if (!c.algorithm.empty() && !EqualsIgnoreCase(c.algorithm, "MD5"))
    return DigestVerdict::kUnsupported;
  if (!c.qop.empty() && !EqualsIgnoreCase(c.qop, "auth")) return DigestVerdict::kUnsupported;
  if (c.realm != realm_) return DigestVerdict::kBadNonce;
  size_t dot = c.nonce.find('.');
  int64_t stamp = 0;
  if (dot == std::string::npos || !absl::SimpleAtoi(c.nonce.substr(0, dot), &stamp) ||
      nonceFor(stamp) != c.nonce) {
    return DigestVerdict::kBadNonce;
  }
  if (!SafeEquals(DigestResponse(c, method, password), c.response))
    return DigestVerdict::kWrongPassword;
  auto now =
      std::chrono::duration_cast<std::chrono::seconds>(time_.monotonicTime().time_since_epoch())
          .count();
  if (now - stamp > nonceLifetime_.count() || stamp > now) return DigestVerdict::kStale;
  return DigestVerdict::kOk;
}

}  // namespace pbx::sip
