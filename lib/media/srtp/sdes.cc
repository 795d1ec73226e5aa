#include "lib/media/srtp/sdes.h"

#include <sys/random.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <iterator>

#include <fmt/format.h>

#include "absl/status/status.h"
#include "lib/media/srtp/string_cat.h"
#include "absl/strings/escaping.h"
#include "lib/media/srtp/srtp_session.h"

namespace pbx::media::internal {
namespace {


struct SuiteInfo {
  SrtpSuite suite;
  std::string_view name;
  size_t keySaltLength;
};

constexpr std::array<SuiteInfo, 4> kSuites = {{
    {SrtpSuite::kAesCm128HmacSha1_80, "AES_CM_128_HMAC_SHA1_80", 30},
    {SrtpSuite::kAesCm128HmacSha1_32, "AES_CM_128_HMAC_SHA1_32", 30},
    {SrtpSuite::kAeadAes128Gcm, "AEAD_AES_128_GCM", 28},
    {SrtpSuite::kAeadAes256Gcm, "AEAD_AES_256_GCM", 44},
}};

constexpr uint64_t kMaxLifetime = uint64_t{1} << 48;  // SRTP's own limit (RFC 3711 §9.2)
constexpr int kMaxTag = 999999999;                    // 1*9DIGIT

// Parse errors quote at most this much of the offending text, and never the key.
std::string Quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text.substr(0, 40)) {
    if (c >= 0x20 && c < 0x7f) {
      out += c;
    } else {
      out += fmt::format("\\x{:02x}", static_cast<uint8_t>(c));
    }
  }
  return out + "\"";
}

// Splits at every `separator`, keeping empty pieces.
std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> pieces;
  for (size_t start = 0;;) {
    size_t end = text.find(separator, start);
    pieces.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return pieces;
    start = end + 1;
  }
}

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Fields separated by runs of blanks (SDP says one space; peers are not always so tidy).
std::vector<std::string_view> Fields(std::string_view text) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && IsBlank(text[i])) ++i;
    size_t start = i;
    while (i < text.size() && !IsBlank(text[i])) ++i;
    if (i > start) fields.push_back(text.substr(start, i - start));
  }
  return fields;
}

bool IsBase64Char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

bool ParseDecimal(std::string_view text, uint64_t& out) {
  if (text.empty() || text.size() > 19) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

// absl's decoder skips whitespace and other oddities; a key is plain base64 or nothing.
bool IsStrictBase64(std::string_view text) {
  size_t padding = 0;
  for (char c : text) {
    if (c == '=') {
      ++padding;
    } else if (padding > 0 || !IsBase64Char(c)) {
      return false;
    }
  }
  return !text.empty() && padding <= 2 && (padding == 0 || text.size() % 4 == 0);
}

absl::StatusOr<uint64_t> ParseLifetime(std::string_view text) {
  uint64_t value = 0;
  if (text.starts_with("2^")) {
    uint64_t exponent = 0;
    if (!ParseDecimal(text.substr(2), exponent) || exponent > 48) {
      return absl::InvalidArgumentError(Cat("bad key lifetime ", Quote(text)));
    }
    value = uint64_t{1} << exponent;
  } else if (!ParseDecimal(text, value)) {
    return absl::InvalidArgumentError(Cat("bad key lifetime ", Quote(text)));
  }
  if (value == 0 || value > kMaxLifetime) {
    return absl::InvalidArgumentError(Cat("key lifetime out of range ", Quote(text)));
  }
  return value;
}

absl::StatusOr<CryptoMki> ParseMki(std::string_view text) {
  size_t colon = text.find(':');
  uint64_t value = 0, length = 0;
  if (colon == std::string_view::npos || !ParseDecimal(text.substr(0, colon), value) ||
      !ParseDecimal(text.substr(colon + 1), length) || length < 1 || length > 128 ||
      (length < 8 && value >> (8 * length) != 0)) {
    return absl::InvalidArgumentError(Cat("bad MKI ", Quote(text)));
  }
  return CryptoMki{value, static_cast<int>(length)};
}

// Session parameters (RFC 4568 §6.3): those we run with, or an error naming the one we cannot.
absl::Status CheckSessionParam(std::string_view param) {
  if (param.starts_with('-')) return absl::OkStatus();  // optional by definition
  std::string_view name = param.substr(0, param.find('='));
  if (name == "WSH") {
    uint64_t window = 0;
    if (!ParseDecimal(param.substr(4), window) || window < 64 || window > UINT32_MAX) {
      return absl::InvalidArgumentError(Cat("bad WSH ", Quote(param)));
    }
    return absl::OkStatus();
  }
  if (name == "KDR" || name == "UNENCRYPTED_SRTP" || name == "UNENCRYPTED_SRTCP" ||
      name == "UNAUTHENTICATED_SRTP" || name == "FEC_ORDER" || name == "FEC_KEY") {
    return absl::UnimplementedError(Cat("session parameter ", Quote(name), " is not supported"));
  }
  return absl::InvalidArgumentError(Cat("unknown session parameter ", Quote(name)));
}

}  // namespace

std::string_view SuiteName(SrtpSuite suite) {
  for (const SuiteInfo& info : kSuites) {
    if (info.suite == suite) return info.name;
  }
  return "?";
}

std::optional<SrtpSuite> SuiteFromName(std::string_view name) {
  for (const SuiteInfo& info : kSuites) {
    if (info.name == name) return info.suite;
  }
  return std::nullopt;
}

size_t KeySaltLength(SrtpSuite suite) {
  for (const SuiteInfo& info : kSuites) {
    if (info.suite == suite) return info.keySaltLength;
  }
  return 0;
}

std::string CryptoAttribute::ToString() const {
  CryptoAttribute redacted = *this;
  redacted.keySaltBase64 = "<redacted>";
  return Cat("tag ", FormatCryptoAttribute(redacted));
}

absl::StatusOr<std::string> CryptoAttribute::DecodeKeySalt() const {
  std::string keySalt;
  if (!IsStrictBase64(keySaltBase64) || !absl::Base64Unescape(keySaltBase64, &keySalt)) {
    return absl::InvalidArgumentError("crypto key is not valid base64");
  }
  if (keySalt.size() != KeySaltLength(suite)) {
    return absl::InvalidArgumentError(Cat("crypto key is ", keySalt.size(), " bytes, ",
                                          SuiteName(suite), " needs ", KeySaltLength(suite)));
  }
  return keySalt;
}

std::optional<uint32_t> CryptoAttribute::windowSizeHint() const {
  for (const std::string& param : sessionParams) {
    uint64_t window = 0;
    if (param.starts_with("WSH=") && ParseDecimal(std::string_view(param).substr(4), window) &&
        window <= UINT32_MAX) {
      return static_cast<uint32_t>(window);
    }
  }
  return std::nullopt;
}

absl::StatusOr<CryptoAttribute> ParseCryptoAttribute(std::string_view value) {
  std::vector<std::string_view> fields = Fields(value);
  if (fields.size() < 3) {
    return absl::InvalidArgumentError("a=crypto needs a tag, a suite and key parameters");
  }
  CryptoAttribute attribute;
  uint64_t tag = 0;
  if (fields[0].size() > 9 || !ParseDecimal(fields[0], tag)) {
    return absl::InvalidArgumentError(Cat("bad a=crypto tag ", Quote(fields[0])));
  }
  attribute.tag = static_cast<int>(tag);
  std::optional<SrtpSuite> suite = SuiteFromName(fields[1]);
  if (!suite) {
    return absl::InvalidArgumentError(Cat("unknown crypto suite ", Quote(fields[1])));
  }
  attribute.suite = *suite;

  std::string_view keyParams = fields[2];
  if (keyParams.find(';') != std::string_view::npos) {
    return absl::UnimplementedError("several keys in one a=crypto line are not supported");
  }
  if (!keyParams.starts_with("inline:")) {
    return absl::InvalidArgumentError("a=crypto key method is not inline:");
  }
  std::vector<std::string_view> keyParts = Split(keyParams.substr(7), '|');
  if (keyParts.size() > 3) return absl::InvalidArgumentError("too many '|' in a=crypto key");
  attribute.keySaltBase64 = std::string(keyParts[0]);
  for (size_t i = 1; i < keyParts.size(); ++i) {
    // The lifetime comes first; an MKI is told apart by its ':'.
    bool isMki = keyParts[i].find(':') != std::string_view::npos;
    if (isMki) {
      if (attribute.mki) return absl::InvalidArgumentError("two MKIs in a=crypto key");
      auto mki = ParseMki(keyParts[i]);
      if (!mki.ok()) return mki.status();
      attribute.mki = *mki;
    } else {
      if (attribute.lifetime || attribute.mki) {
        return absl::InvalidArgumentError("a=crypto lifetime misplaced");
      }
      auto lifetime = ParseLifetime(keyParts[i]);
      if (!lifetime.ok()) return lifetime.status();
      attribute.lifetime = *lifetime;
    }
  }
  if (auto keySalt = attribute.DecodeKeySalt(); !keySalt.ok()) return keySalt.status();

  for (size_t i = 3; i < fields.size(); ++i) {
    if (absl::Status status = CheckSessionParam(fields[i]); !status.ok()) return status;
    attribute.sessionParams.emplace_back(fields[i]);
  }
  return attribute;
}

std::string FormatCryptoAttribute(const CryptoAttribute& attribute) {
  std::string out =
      Cat(attribute.tag, " ", SuiteName(attribute.suite), " inline:", attribute.keySaltBase64);
  if (attribute.lifetime) {
    uint64_t lifetime = *attribute.lifetime;
    if (lifetime > 1 && (lifetime & (lifetime - 1)) == 0) {
      out += Cat("|2^", __builtin_ctzll(lifetime));
    } else {
      out += Cat("|", lifetime);
    }
  }
  if (attribute.mki) out += Cat("|", attribute.mki->value, ":", attribute.mki->length);
  for (const std::string& param : attribute.sessionParams) out += Cat(" ", param);
  return out;
}

absl::StatusOr<CryptoAttribute> GenerateCryptoAttribute(int tag, SrtpSuite suite) {
  if (tag < 0 || tag > kMaxTag) return absl::InvalidArgumentError("a=crypto tag out of range");
  std::array<uint8_t, 64> keySalt;
  size_t length = KeySaltLength(suite);
  for (size_t filled = 0; filled < length;) {
    ssize_t n = getrandom(keySalt.data() + filled, length - filled, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return absl::InternalError("getrandom() failed: no key for SRTP");
    filled += static_cast<size_t>(n);
  }
  CryptoAttribute attribute;
  attribute.tag = tag;
  attribute.suite = suite;
  attribute.keySaltBase64 =
      absl::Base64Escape(absl::string_view(reinterpret_cast<char*>(keySalt.data()), length));
  explicit_bzero(keySalt.data(), keySalt.size());
  return attribute;
}

absl::StatusOr<CryptoNegotiation> NegotiateCryptoAnswer(std::span<const std::string> offered,
                                                        std::span<const SrtpSuite> preference) {
  std::vector<CryptoAttribute> usable;
  std::string skipped;
  for (const std::string& line : offered) {
    auto attribute = ParseCryptoAttribute(line);
    if (!attribute.ok()) {
      skipped += Cat("; ", std::string(attribute.status().message()));
    } else if (attribute->mki) {
      skipped += Cat("; tag ", attribute->tag, ": MKI is not supported");
    } else {
      usable.push_back(*std::move(attribute));
    }
  }
  for (SrtpSuite suite : preference) {
    if (!SrtpSession::SuiteAvailable(suite)) continue;
    for (const CryptoAttribute& remote : usable) {
      if (remote.suite != suite) continue;
      auto local = GenerateCryptoAttribute(remote.tag, suite);
      if (!local.ok()) return local.status();
      return CryptoNegotiation{*std::move(local), remote};
    }
  }
  return absl::NotFoundError(Cat("no acceptable a=crypto line among ", offered.size(), skipped));
}

absl::StatusOr<std::vector<CryptoAttribute>> GenerateCryptoOffer(
    std::span<const SrtpSuite> suites) {
  std::vector<CryptoAttribute> offer;
  for (SrtpSuite suite : suites) {
    auto attribute = GenerateCryptoAttribute(static_cast<int>(offer.size()) + 1, suite);
    if (!attribute.ok()) return attribute.status();
    offer.push_back(*std::move(attribute));
  }
  return offer;
}

absl::StatusOr<CryptoNegotiation> AcceptCryptoAnswer(std::span<const CryptoAttribute> ourOffer,
                                                     std::string_view answerValue) {
  auto remote = ParseCryptoAttribute(answerValue);
  if (!remote.ok()) return remote.status();
  if (remote->mki) return absl::UnimplementedError("answer a=crypto: MKI is not supported");
  for (const CryptoAttribute& local : ourOffer) {
    if (local.tag != remote->tag) continue;
    if (local.suite != remote->suite) {
      return absl::InvalidArgumentError(Cat("answer a=crypto tag ", remote->tag, " has ",
                                            SuiteName(remote->suite), ", offer had ",
                                            SuiteName(local.suite)));
    }
    return CryptoNegotiation{local, *std::move(remote)};
  }
  return absl::InvalidArgumentError(Cat("answer a=crypto tag ", remote->tag, " was not offered"));
}

}  // namespace pbx::media::internal
