#include "lib/call/srtp_policy.h"

#include <string>

#include "absl/strings/match.h"
#include "lib/media/srtp/srtp_session.h"

namespace pbx::call {
namespace {

using media::internal::CryptoAttribute;
using media::internal::CryptoNegotiation;
using media::internal::SrtpSession;

constexpr char kCrypto[] = "crypto";

bool IsSecure(const std::string& protocol) {
  return absl::EqualsIgnoreCase(protocol, "RTP/SAVP") ||
         absl::EqualsIgnoreCase(protocol, "RTP/SAVPF");
}

// DTLS-SRTP keys its media in the packets, not in the SDP: nothing here applies to it.
bool IsDtls(const std::string& protocol) {
  return absl::StartsWithIgnoreCase(protocol, "UDP/TLS/");
}

// The same RTP profile with or without the S; anything else (not RTP/AVP-like) as it is.
std::string PlainProfile(const std::string& protocol) {
  if (absl::EqualsIgnoreCase(protocol, "RTP/SAVP")) return "RTP/AVP";
  if (absl::EqualsIgnoreCase(protocol, "RTP/SAVPF")) return "RTP/AVPF";
  return protocol;
}

std::string SecureProfile(const std::string& protocol) {
  if (absl::EqualsIgnoreCase(protocol, "RTP/AVPF") || absl::EqualsIgnoreCase(protocol, "RTP/SAVPF"))
    return "RTP/SAVPF";
  return "RTP/SAVP";
}

std::vector<std::string> CryptoValues(const sip::MediaDescription& media) {
  std::vector<std::string> values;
  for (const sip::SdpAttribute& attribute : media.attributes)
    if (attribute.hasValue && absl::EqualsIgnoreCase(attribute.name, kCrypto))
      values.push_back(attribute.value);
  return values;
}

void AddCrypto(sip::MediaDescription& media, const CryptoAttribute& attribute) {
  media.attributes.push_back(
      {std::string(kCrypto), media::internal::FormatCryptoAttribute(attribute), true});
}

media::SrtpKeys KeysOf(const CryptoNegotiation& agreed) {
  return {std::string(media::internal::SuiteName(agreed.local.suite)), agreed.local.keySaltBase64,
          agreed.remote.keySaltBase64};
}

}  // namespace

absl::StatusOr<std::optional<media::SrtpKeys>> AnswerCrypto(const sip::SessionDescription& offer,
                                                            SrtpPolicy policy,
                                                            sip::SessionDescription& answer) {
  const std::optional<size_t> offerAudio = offer.findMedia("audio");
  const std::optional<size_t> answerAudio = answer.findMedia("audio");
  if (!offerAudio || !answerAudio) return std::nullopt;  // no audio stream, nothing to key
  const sip::MediaDescription& offered = offer.media[*offerAudio];
  sip::MediaDescription& audio = answer.media[*answerAudio];
  if (IsDtls(offered.protocol)) return std::nullopt;
  audio.removeAttributes(kCrypto);
  audio.protocol = offered.protocol;

  const bool secure = IsSecure(offered.protocol);
  if (policy == SrtpPolicy::kOff) {
    if (secure) return absl::FailedPreconditionError("the offer is RTP/SAVP and SRTP is off");
    return std::nullopt;
  }
  const std::vector<std::string> lines = CryptoValues(offered);
  if (!lines.empty()) {
    auto agreed = media::internal::NegotiateCryptoAnswer(lines, SrtpSession::AvailableSuites());
    if (agreed.ok()) {
      AddCrypto(audio, agreed->local);
      return KeysOf(*agreed);
    }
    if (!absl::IsNotFound(agreed.status())) return agreed.status();  // no key could be made
  }
  // No keys we can use: plain RTP, if the offer and the policy allow it.
  if (secure) {
    return absl::FailedPreconditionError(
        lines.empty() ? "the RTP/SAVP offer has no a=crypto (SDES) line"
                      : "the RTP/SAVP offer has no a=crypto line pbxkit accepts");
  }
  if (policy == SrtpPolicy::kMandatory)
    return absl::FailedPreconditionError("SRTP is mandatory and the offer is plain RTP");
  return std::nullopt;
}

absl::StatusOr<std::optional<OfferedCrypto>> OfferCrypto(sip::SessionDescription& offer,
                                                         SrtpPolicy policy) {
  const std::optional<size_t> index = offer.findMedia("audio");
  if (!index) return std::nullopt;
  sip::MediaDescription& audio = offer.media[*index];
  if (IsDtls(audio.protocol)) return std::nullopt;
  audio.removeAttributes(kCrypto);
  if (policy == SrtpPolicy::kOff) {
    audio.protocol = PlainProfile(audio.protocol);
    return std::nullopt;
  }
  auto attributes = media::internal::GenerateCryptoOffer(SrtpSession::AvailableSuites());
  if (!attributes.ok()) return attributes.status();
  // kOptional: keys in an RTP/AVP offer, which a phone without SRTP answers plainly (it ignores
  // a=crypto) and most SDES phones answer with keys; RTP/SAVP would make the former refuse.
  audio.protocol = policy == SrtpPolicy::kMandatory ? SecureProfile(audio.protocol)
                                                    : PlainProfile(audio.protocol);
  for (const CryptoAttribute& attribute : *attributes) AddCrypto(audio, attribute);
  return OfferedCrypto{policy, *std::move(attributes)};
}

absl::StatusOr<std::optional<media::SrtpKeys>> AcceptCrypto(const OfferedCrypto& offered,
                                                            const sip::SessionDescription& answer) {
  const std::optional<size_t> index = answer.findMedia("audio");
  if (!index) return std::nullopt;  // the audio stream was refused: no media to key
  const sip::MediaDescription& audio = answer.media[*index];
  const std::vector<std::string> lines = CryptoValues(audio);
  if (lines.empty()) {
    if (IsSecure(audio.protocol))
      return absl::InvalidArgumentError("the RTP/SAVP answer has no a=crypto line");
    if (offered.policy == SrtpPolicy::kMandatory)
      return absl::FailedPreconditionError("SRTP is mandatory and the answer is plain RTP");
    return std::nullopt;
  }
  // An answer has one line; should it have more, the first that matches our offer counts.
  absl::Status failure;
  for (const std::string& line : lines) {
    auto agreed = media::internal::AcceptCryptoAnswer(offered.attributes, line);
    if (agreed.ok()) return KeysOf(*agreed);
    if (failure.ok()) failure = agreed.status();
  }
  return failure;
}

}  // namespace pbx::call
