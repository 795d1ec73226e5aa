// SDES key exchange for SRTP (RFC 4568): the SDP `a=crypto` attribute, parsed, written and
// negotiated. The keys travel in the SDP itself, so whoever reads the signalling reads the
// keys: SDES is only as private as the SIP transport (TLS) carrying it.
//
//   // Answering an offer: pick one of its lines, answer with the same tag and our own key.
//   auto chosen = NegotiateCryptoAnswer(offerCryptoValues, SrtpSession::AvailableSuites());
//   if (chosen.ok()) answerSdp.AddAttribute("crypto", FormatCryptoAttribute(chosen->local));
//   // Making an offer: one line per suite we support; later match the answer against it.
//   auto offer = GenerateCryptoOffer(SrtpSession::AvailableSuites());
//   auto agreed = AcceptCryptoAnswer(*offer, answerCryptoValue);
//   LOG(INFO) << agreed->remote.ToString();   // never the key: "tag 1 ... inline:<redacted>"
//
// What we accept, and why (a line we refuse is an error, so negotiation skips that line):
// - Lifetime ("|2^20" or "|1048576") is kept but not enforced: we never rekey inside a call,
//   so a peer that does stop at its lifetime needs a re-INVITE (2^20 packets at 50 pps: 5.8 h).
// - MKI ("|1:4") is parsed and kept, but negotiation refuses it: every packet would carry the
//   MKI and we key one master key per direction, so such a line is skipped.
// - Session parameters: WSH=n (replay window hint, n >= 64) is honoured; parameters starting
//   with "-" are optional by RFC 4568 and ignored; KDR, UNENCRYPTED_SRTP, UNENCRYPTED_SRTCP,
//   UNAUTHENTICATED_SRTP, FEC_ORDER, FEC_KEY and anything unknown are refused.
//
// Thread-safety: pure functions, except that key generation reads the kernel's CSPRNG.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace pbx::media::internal {

enum class SrtpSuite {
  kAesCm128HmacSha1_80,  // AES_CM_128_HMAC_SHA1_80 (RFC 4568): the one every SDES peer has
  kAesCm128HmacSha1_32,  // AES_CM_128_HMAC_SHA1_32: 4-byte RTP tag, 10-byte RTCP tag
  kAeadAes128Gcm,        // AEAD_AES_128_GCM (RFC 7714)
  kAeadAes256Gcm,        // AEAD_AES_256_GCM (RFC 7714)
};

// The RFC name ("AES_CM_128_HMAC_SHA1_80"), and back (exact, case-sensitive match).
std::string_view SuiteName(SrtpSuite suite);
std::optional<SrtpSuite> SuiteFromName(std::string_view name);
// Bytes of master key followed by master salt: 30 for AES-CM, 28 and 44 for GCM.
size_t KeySaltLength(SrtpSuite suite);

struct CryptoMki {
  uint64_t value = 0;
  int length = 0;  // bytes on the wire, 1..128
};

struct CryptoAttribute {
  int tag = 0;  // 0..999999999, chosen by the offerer, echoed by the answerer
  SrtpSuite suite = SrtpSuite::kAesCm128HmacSha1_80;
  std::string keySaltBase64;               // inline key||salt; secret
  std::optional<uint64_t> lifetime;        // packets; see the header comment
  std::optional<CryptoMki> mki;            // see the header comment
  std::vector<std::string> sessionParams;  // as written, e.g. "WSH=128"

  // For logs: everything but the key ("tag 1 AES_CM_128_HMAC_SHA1_80 inline:<redacted>").
  std::string ToString() const;
  // The raw key||salt (KeySaltLength(suite) bytes), or an error if the base64 is bad.
  absl::StatusOr<std::string> DecodeKeySalt() const;
  // The WSH session parameter if present, else std::nullopt.
  std::optional<uint32_t> windowSizeHint() const;
};

// `value` is the attribute value after "crypto:" (e.g. "1 AES_CM_128_HMAC_SHA1_80 inline:...").
// Errors: bad structure, unknown suite, bad base64, wrong key length, several keys (';'), a
// lifetime or MKI out of range, and session parameters we refuse (see above).
absl::StatusOr<CryptoAttribute> ParseCryptoAttribute(std::string_view value);
// The attribute value (no "a=crypto:"), key included: for the SDP only, never for logs.
std::string FormatCryptoAttribute(const CryptoAttribute& attribute);
// A new attribute with a fresh random key from the kernel's CSPRNG.
absl::StatusOr<CryptoAttribute> GenerateCryptoAttribute(int tag, SrtpSuite suite);

struct CryptoNegotiation {
  CryptoAttribute local;   // our key: we protect (send) with it
  CryptoAttribute remote;  // the peer's key: we unprotect (receive) with it
};

// Answerer side: the first suite in `preference` that the offer has (lines in `offered` that do
// not parse, or carry an MKI, are skipped), answered with the offer's tag, the same suite and
// a new key of ours. NotFound when no line is acceptable.
absl::StatusOr<CryptoNegotiation> NegotiateCryptoAnswer(std::span<const std::string> offered,
                                                        std::span<const SrtpSuite> preference);
// Offerer side: one line per suite, tags 1, 2, ... in the given order.
absl::StatusOr<std::vector<CryptoAttribute>> GenerateCryptoOffer(std::span<const SrtpSuite> suites);
// Offerer side, the answer arrived: it must name one of our tags with the same suite.
absl::StatusOr<CryptoNegotiation> AcceptCryptoAnswer(std::span<const CryptoAttribute> ourOffer,
                                                     std::string_view answerValue);

}  // namespace pbx::media::internal
