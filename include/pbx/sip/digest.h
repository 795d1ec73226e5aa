// Digest authentication (RFC 2617 / RFC 7616 with MD5) for the registrar and for calls.
//
// The PBX challenges with a nonce that it can verify later without keeping state: the nonce
// carries its creation time and an HMAC over it with a per-process secret, so a nonce is
// accepted only if we made it and it is younger than `nonceLifetime`.
//
//   pbx::sip::DigestAuthenticator auth(timeSource, "pbx.example.com");
//   DigestChallenge c = auth.challenge();                 // put into 401/407
//   auto verdict = auth.verify(credentials, "REGISTER", "secret-password");
//   if (verdict == DigestVerdict::kStale) -> challenge again with stale=true
//
// Nonces are made once a second, so the few in use at a time are kept (a small cache keyed
// by their second): challenging and verifying at a high call rate costs no HMAC.
//
// Thread-safety: challenge() and verify() are const and may be called from any thread.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "pbx/base/time_source.h"

namespace pbx::sip {

// What a client sent in Authorization / Proxy-Authorization.
struct DigestCredentials {
  std::string username;
  std::string realm;
  std::string nonce;
  std::string uri;
  std::string response;
  std::string algorithm;  // empty = MD5
  std::string cnonce;
  std::string nonceCount;  // "nc"
  std::string qop;
  std::string opaque;
};

// What we send in WWW-Authenticate / Proxy-Authenticate.
struct DigestChallenge {
  std::string realm;
  std::string nonce;
  std::string opaque;
  std::string algorithm = "MD5";
  std::string qop = "auth";
  bool stale = false;
  // The header value: Digest realm="...", nonce="...", ...
  std::string headerValue() const;
};

enum class DigestVerdict {
  kOk,
  kWrongPassword,  // response does not match: reject with 403
  kStale,          // our nonce, but too old: challenge again with stale=true
  kBadNonce,       // not a nonce we made, or a different realm: challenge again
  kUnsupported,    // algorithm or qop we do not implement
};

class DigestAuthenticator {
 public:
  DigestAuthenticator(const TimeSource& time, std::string realm,
                      std::chrono::seconds nonceLifetime = std::chrono::seconds(300));

  const std::string& realm() const { return realm_; }
  DigestChallenge challenge(bool stale = false) const;
  DigestVerdict verify(const DigestCredentials& credentials, std::string_view method,
                       std::string_view password) const;
  // How long ago we issued the nonce these credentials answer; nullopt when it is not ours.
  std::optional<std::chrono::seconds> nonceAge(const DigestCredentials& credentials) const;

 private:
  struct CachedNonce {
    int64_t seconds = -1;
    std::string nonce;
  };

  // The nonce for `seconds`, from the cache or computed (and then cached).
  std::string nonceFor(int64_t seconds) const;
  std::string makeNonce(int64_t seconds) const;

  const TimeSource& time_;
  std::string realm_;
  std::chrono::seconds nonceLifetime_;
  std::string secret_;
  mutable std::mutex cacheMutex_;
  mutable std::array<CachedNonce, 8> cache_;  // slot: seconds % size; guarded by cacheMutex_
};

// MD5 hex digest of `data` (lower case), as digest authentication uses it.
std::string Md5Hex(std::string_view data);

// The response a client computes (exposed for simulated phones and tests).
std::string DigestResponse(const DigestCredentials& credentials, std::string_view method,
                           std::string_view password);

}  // namespace pbx::sip
