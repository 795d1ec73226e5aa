#include "lib/call/sdp_negotiation.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "lib/call/bridge.h"

namespace pbx::call {
namespace {
bool IsTelephoneEvent(const std::string& codec) {
  return absl::AsciiStrToLower(codec).rfind("telephone-event/", 0) == 0;
}
}  // namespace

std::string CodecName(const sip::MediaDescription& media, const std::string& format) {
  for (const auto& map : media.rtpMaps())
    if (std::to_string(map.payloadType) == format)
      return absl::AsciiStrToUpper(map.encoding) == "TELEPHONE-EVENT"
                 ? "telephone-event/" + std::to_string(map.clockRate)
                 : absl::AsciiStrToUpper(map.encoding) + "/" + std::to_string(map.clockRate);
  return {};
}

std::optional<std::string> CommonCodec(const sip::SessionDescription& preferred,
                                       const sip::SessionDescription& other) {
  auto a = preferred.findMedia("audio");
  auto b = other.findMedia("audio");
  if (!a || !b) return std::nullopt;
  const auto& ma = preferred.media[*a];
  const auto& mb = other.media[*b];
  for (const auto& fa : ma.formats) {
    std::string codec = CodecName(ma, fa);
    if (codec.empty() || IsTelephoneEvent(codec)) continue;
    for (const auto& fb : mb.formats)
      if (CodecName(mb, fb) == codec) return codec;
  }
  return std::nullopt;
}

sip::SessionDescription AnswerFor(const sip::SessionDescription& offer, const std::string& codec) {
  sip::SessionDescription answer = offer;
  auto audio = answer.findMedia("audio");
  if (!audio) return answer;
  auto& m = answer.media[*audio];
  std::vector<std::string> keep;
  for (const auto& f : m.formats)
    if (!codec.empty() && CodecName(m, f) == codec) {
      keep.push_back(f);
      break;
    }
  if (keep.empty())
    for (const auto& f : m.formats)
      if (!IsTelephoneEvent(CodecName(m, f))) {
        keep.push_back(f);
        break;
      }
  for (const auto& f : m.formats)
    if (IsTelephoneEvent(CodecName(m, f))) {
      keep.push_back(f);
      break;
    }
  m.formats = keep;
  std::erase_if(m.attributes, [&](const sip::SdpAttribute& a) {
    if (a.name != "rtpmap" && a.name != "fmtp") return false;
    std::string pt = a.value.substr(0, a.value.find(' '));
    return std::find(keep.begin(), keep.end(), pt) == keep.end();
  });
  m.setDirection(AnswerDirection(offer.effectiveDirection(*offer.findMedia("audio"))));
  return answer;
}

sip::SessionDescription WithDirection(sip::SessionDescription sdp, sip::MediaDirection direction) {
  if (auto audio = sdp.findMedia("audio")) sdp.media[*audio].setDirection(direction);
  return sdp;
}

}  // namespace pbx::call
