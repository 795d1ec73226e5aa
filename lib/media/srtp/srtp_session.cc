#include "lib/media/srtp/srtp_session.h"

#include <fmt/format.h>
#include <srtp2/srtp.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <iterator>
#include <mutex>

#include "absl/status/status.h"
#include "lib/media/srtp/string_cat.h"

namespace pbx::media::internal {
namespace {


static_assert(SrtpSession::kMaxOverhead >= SRTP_MAX_TAG_LEN + 4,
              "tag plus the SRTCP E-flag/index word");

constexpr size_t kRtpHeaderSize = 12;
constexpr size_t kRtcpHeaderSize = 8;

// srtp_init() registers the crypto modules; libsrtp2 wants it once per process, before any
// session, and it is not itself safe to race.
srtp_err_status_t InitLibrary() {
  static std::once_flag once;
  static srtp_err_status_t status = srtp_err_status_ok;
  std::call_once(once, [] { status = srtp_init(); });
  return status;
}

void SetCryptoPolicy(SrtpSuite suite, srtp_policy_t& policy) {
  switch (suite) {
    case SrtpSuite::kAesCm128HmacSha1_80:
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
      break;
    case SrtpSuite::kAesCm128HmacSha1_32:
      // RFC 4568 §6.2.2: only RTP gets the short tag; SRTCP keeps 80 bits.
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&policy.rtp);
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
      break;
    case SrtpSuite::kAeadAes128Gcm:
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
      break;
    case SrtpSuite::kAeadAes256Gcm:
      srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtp);
      srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtcp);
      break;
  }
}

absl::StatusOr<srtp_t> CreateContext(SrtpSuite suite, std::string_view keySalt,
                                     srtp_ssrc_type_t direction, uint32_t windowSize) {
  if (srtp_err_status_t status = InitLibrary(); status != srtp_err_status_ok) {
    return absl::InternalError(Cat("srtp_init() failed: ", status));
  }
  if (keySalt.size() != KeySaltLength(suite)) {
    return absl::InvalidArgumentError(Cat(SuiteName(suite), " needs a ", KeySaltLength(suite),
                                          "-byte key||salt, not ", keySalt.size()));
  }
  // libsrtp wants a mutable key; it copies it into the session, so ours is wiped at once.
  std::array<unsigned char, 64> key{};
  std::memcpy(key.data(), keySalt.data(), keySalt.size());
  srtp_policy_t policy;
  std::memset(&policy, 0, sizeof(policy));
  SetCryptoPolicy(suite, policy);
  policy.ssrc.type = direction;
  policy.key = key.data();
  // libsrtp refuses windows outside 64..0x7fff.
  policy.window_size = std::clamp<uint32_t>(windowSize, 64, 0x7fff);
  policy.allow_repeat_tx = direction == ssrc_any_outbound;
  srtp_t context = nullptr;
  srtp_err_status_t status = srtp_create(&context, &policy);
  explicit_bzero(key.data(), key.size());
  if (status != srtp_err_status_ok) {
    return absl::UnavailableError(Cat("libsrtp2 cannot create a ", SuiteName(suite),
                                      " session: error ", static_cast<int>(status)));
  }
  return context;
}

bool IsVersion2(const uint8_t* packet) { return (packet[0] >> 6) == 2; }

}  // namespace

absl::StatusOr<std::unique_ptr<SrtpSession>> SrtpSession::Create(SrtpSuite suite,
                                                                 std::string_view txKeySalt,
                                                                 std::string_view rxKeySalt,
                                                                 Options options) {
  auto tx = CreateContext(suite, txKeySalt, ssrc_any_outbound, options.windowSize);
  if (!tx.ok()) return tx.status();
  auto rx = CreateContext(suite, rxKeySalt, ssrc_any_inbound, options.windowSize);
  if (!rx.ok()) {
    srtp_dealloc(*tx);
    return rx.status();
  }
  return std::unique_ptr<SrtpSession>(new SrtpSession(suite, *tx, *rx));
}

absl::StatusOr<std::unique_ptr<SrtpSession>> SrtpSession::Create(const CryptoNegotiation& agreed) {
  if (agreed.local.suite != agreed.remote.suite) {
    return absl::InvalidArgumentError("SDES: local and remote suites differ");
  }
  auto tx = agreed.local.DecodeKeySalt();
  if (!tx.ok()) return tx.status();
  auto rx = agreed.remote.DecodeKeySalt();
  if (!rx.ok()) return rx.status();
  Options options;
  // WSH is the peer asking us, the receiver, for at least that window.
  options.windowSize = std::max(options.windowSize, agreed.remote.windowSizeHint().value_or(0));
  auto session = Create(agreed.local.suite, *tx, *rx, options);
  explicit_bzero(tx->data(), tx->size());
  explicit_bzero(rx->data(), rx->size());
  return session;
}

bool SrtpSession::SuiteAvailable(SrtpSuite suite) {
  static std::once_flag once;
  static std::array<bool, 4> available{};
  std::call_once(once, [] {
    for (SrtpSuite probe : {SrtpSuite::kAesCm128HmacSha1_80, SrtpSuite::kAesCm128HmacSha1_32,
                            SrtpSuite::kAeadAes128Gcm, SrtpSuite::kAeadAes256Gcm}) {
      std::string zeroKey(KeySaltLength(probe), '\0');
      auto context = CreateContext(probe, zeroKey, ssrc_any_outbound, 128);
      available[static_cast<size_t>(probe)] = context.ok();
      if (context.ok()) srtp_dealloc(*context);
    }
  });
  size_t index = static_cast<size_t>(suite);
  return index < available.size() && available[index];
}

std::vector<SrtpSuite> SrtpSession::AvailableSuites() {
  std::vector<SrtpSuite> suites;
  for (SrtpSuite suite : {SrtpSuite::kAeadAes256Gcm, SrtpSuite::kAeadAes128Gcm,
                          SrtpSuite::kAesCm128HmacSha1_80, SrtpSuite::kAesCm128HmacSha1_32}) {
    if (SuiteAvailable(suite)) suites.push_back(suite);
  }
  return suites;
}

SrtpSession::SrtpSession(SrtpSuite suite, Context tx, Context rx)
    : suite_(suite), tx_(tx), rx_(rx) {}

SrtpSession::~SrtpSession() {
  srtp_dealloc(tx_);
  srtp_dealloc(rx_);
}

bool SrtpSession::protect(uint8_t* packet, size_t& size, size_t capacity) {
  if (packet == nullptr || size < kRtpHeaderSize || size > kMaxPacketSize ||
      capacity < size + kMaxOverhead || !IsVersion2(packet)) {
    protectFailures_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  int length = static_cast<int>(size);
  if (srtp_protect(tx_, packet, &length) != srtp_err_status_ok) {
    protectFailures_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  size = static_cast<size_t>(length);
  rtpProtected_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

bool SrtpSession::protectRtcp(uint8_t* packet, size_t& size, size_t capacity) {
  if (packet == nullptr || size < kRtcpHeaderSize || size > kMaxPacketSize ||
      capacity < size + kMaxOverhead || !IsVersion2(packet)) {
    protectFailures_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  int length = static_cast<int>(size);
  if (srtp_protect_rtcp(tx_, packet, &length) != srtp_err_status_ok) {
    protectFailures_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  size = static_cast<size_t>(length);
  rtcpProtected_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

bool SrtpSession::unprotect(uint8_t* packet, size_t& size) {
  if (packet == nullptr || size < kRtpHeaderSize || size > kMaxPacketSize || !IsVersion2(packet)) {
    malformed_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  int length = static_cast<int>(size);
  srtp_err_status_t status = srtp_unprotect(rx_, packet, &length);
  if (status != srtp_err_status_ok) return countUnprotectError(status);
  size = static_cast<size_t>(length);
  rtpUnprotected_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

bool SrtpSession::unprotectRtcp(uint8_t* packet, size_t& size) {
  // Header plus the E-flag/index word; libsrtp checks the tag length itself.
  if (packet == nullptr || size < kRtcpHeaderSize + 4 || size > kMaxPacketSize ||
      !IsVersion2(packet)) {
    malformed_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  int length = static_cast<int>(size);
  srtp_err_status_t status = srtp_unprotect_rtcp(rx_, packet, &length);
  if (status != srtp_err_status_ok) return countUnprotectError(status);
  size = static_cast<size_t>(length);
  rtcpUnprotected_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

bool SrtpSession::countUnprotectError(int status) {
  switch (status) {
    case srtp_err_status_auth_fail:
      authFailures_.fetch_add(1, std::memory_order_relaxed);
      break;
    case srtp_err_status_replay_fail:
    case srtp_err_status_replay_old:
      replayFailures_.fetch_add(1, std::memory_order_relaxed);
      break;
    default:
      malformed_.fetch_add(1, std::memory_order_relaxed);
      break;
  }
  return false;
}

SrtpSession::Stats SrtpSession::stats() const {
  Stats stats;
  stats.rtpProtected = rtpProtected_.load(std::memory_order_relaxed);
  stats.rtcpProtected = rtcpProtected_.load(std::memory_order_relaxed);
  stats.protectFailures = protectFailures_.load(std::memory_order_relaxed);
  stats.rtpUnprotected = rtpUnprotected_.load(std::memory_order_relaxed);
  stats.rtcpUnprotected = rtcpUnprotected_.load(std::memory_order_relaxed);
  stats.authFailures = authFailures_.load(std::memory_order_relaxed);
  stats.replayFailures = replayFailures_.load(std::memory_order_relaxed);
  stats.malformed = malformed_.load(std::memory_order_relaxed);
  return stats;
}

}  // namespace pbx::media::internal
