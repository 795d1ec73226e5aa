#include "lib/call/codec_policy.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "lib/call/sdp_negotiation.h"
#include "lib/media/codec/codec_catalog.h"

namespace pbx::call {
namespace {

constexpr int kTelephoneEventType = 101;

bool IsTelephoneEvent(const sip::RtpMap& map) {
  return absl::EqualsIgnoreCase(map.encoding, "telephone-event");
}

// The codecs pbxkit offers, by SDP name, in order: the preference list's known entries, or
// every supported codec.
std::vector<const media::internal::CodecInfo*> Wanted(const std::vector<std::string>& preference) {
  std::vector<const media::internal::CodecInfo*> wanted;
  if (preference.empty()) {
    for (const auto& info : media::internal::SupportedCodecs()) wanted.push_back(&info);
  } else {
    for (const auto& name : preference)
      if (const auto* info = media::internal::FindCodec(name)) wanted.push_back(info);
  }
  return wanted;
}

int FreePayloadType(const std::set<int>& used) {
  for (int type = 96; type <= 127; ++type)
    if (!used.contains(type)) return type;
  return -1;
}

void AddCodec(sip::MediaDescription& audio, const media::internal::CodecInfo& info,
              std::set<int>& used) {
  int type = info.staticPayloadType >= 0 ? info.staticPayloadType : FreePayloadType(used);
  if (type < 0 || used.contains(type)) return;
  used.insert(type);
  audio.formats.push_back(std::to_string(type));
  std::string map =
      std::to_string(type) + " " + info.name + "/" + std::to_string(info.rtpClockRate);
  if (info.channels > 1) map += "/" + std::to_string(info.channels);
  audio.attributes.push_back({"rtpmap", map, true});
  if (!info.defaultFmtp.empty())
    audio.attributes.push_back({"fmtp", std::to_string(type) + " " + info.defaultFmtp, true});
}

void AddTelephoneEvent(sip::MediaDescription& audio, std::set<int>& used) {
  int type = used.contains(kTelephoneEventType) ? FreePayloadType(used) : kTelephoneEventType;
  if (type < 0) return;
  used.insert(type);
  audio.formats.push_back(std::to_string(type));
  audio.attributes.push_back({"rtpmap", std::to_string(type) + " telephone-event/8000", true});
  audio.attributes.push_back({"fmtp", std::to_string(type) + " 0-16", true});
}

void RemoveFormat(sip::MediaDescription& audio, const std::string& format) {
  std::erase(audio.formats, format);
  std::erase_if(audio.attributes, [&](const sip::SdpAttribute& a) {
    return (a.name == "rtpmap" || a.name == "fmtp") &&
           a.value.substr(0, a.value.find(' ')) == format;
  });
}

const sip::RtpMap* FirstCodecMap(const std::vector<sip::RtpMap>& maps) {
  for (const auto& map : maps)
    if (!IsTelephoneEvent(map)) return &map;
  return nullptr;
}

int CountCodecs(const std::vector<sip::RtpMap>& maps) {
  return static_cast<int>(std::count_if(maps.begin(), maps.end(),
                                        [](const sip::RtpMap& m) { return !IsTelephoneEvent(m); }));
}

const sip::RtpMap* FindMap(const std::vector<sip::RtpMap>& maps, const sip::RtpMap& like) {
  for (const auto& map : maps)
    if (absl::EqualsIgnoreCase(map.encoding, like.encoding) && map.clockRate == like.clockRate)
      return &map;
  return nullptr;
}

int TelephoneEventType(const std::vector<sip::RtpMap>& maps) {
  for (const auto& map : maps)
    if (IsTelephoneEvent(map)) return map.payloadType;
  return -1;
}

}  // namespace

sip::SessionDescription ExtendOffer(sip::SessionDescription offer,
                                    const std::vector<std::string>& preference) {
  auto index = offer.findMedia("audio");
  if (!index) return offer;
  sip::MediaDescription& audio = offer.media[*index];
  if (audio.port == 0) return offer;
  const auto wanted = Wanted(preference);
  std::set<int> used;
  std::set<std::string> present;  // lower-case encoding names already offered
  bool hasEvents = false;
  for (const auto& map : audio.rtpMaps()) {
    used.insert(map.payloadType);
    if (IsTelephoneEvent(map)) {
      hasEvents = true;
      continue;
    }
    const auto* info = media::internal::FindCodec(map.encoding);
    const bool unwanted =
        info != nullptr && !preference.empty() &&
        std::none_of(wanted.begin(), wanted.end(), [&](auto* w) { return w == info; });
    if (unwanted) {
      RemoveFormat(audio, std::to_string(map.payloadType));
      continue;
    }
    present.insert(absl::AsciiStrToLower(map.encoding));
  }
  for (const auto* info : wanted)
    if (!present.contains(absl::AsciiStrToLower(info->name))) AddCodec(audio, *info, used);
  if (!hasEvents) AddTelephoneEvent(audio, used);
  return offer;
}

sip::SessionDescription OwnOffer(const std::vector<std::string>& preference) {
  sip::SessionDescription sdp;
  sdp.connection = sip::SdpConnection{};
  sip::MediaDescription audio;
  audio.media = "audio";
  audio.port = 9;  // replaced by the relay port when anchored
  audio.protocol = "RTP/AVP";
  audio.attributes = {{"ptime", "20", true}};
  audio.setDirection(sip::MediaDirection::kSendRecv);
  sdp.media.push_back(std::move(audio));
  return ExtendOffer(std::move(sdp), preference);
}

std::optional<std::string> PreferredCodec(const sip::SessionDescription& offer,
                                          const std::vector<std::string>& preference) {
  auto index = offer.findMedia("audio");
  if (!index) return std::nullopt;
  const auto maps = offer.media[*index].rtpMaps();
  for (const auto* info : Wanted(preference))
    for (const auto& map : maps)
      if (absl::EqualsIgnoreCase(map.encoding, info->name))
        return CodecName(offer.media[*index], std::to_string(map.payloadType));
  const sip::RtpMap* first = FirstCodecMap(maps);
  if (first == nullptr) return std::nullopt;
  return CodecName(offer.media[*index], std::to_string(first->payloadType));
}

std::string FirstCodec(const sip::SessionDescription& sdp) {
  auto index = sdp.findMedia("audio");
  if (!index) return {};
  const std::vector<sip::RtpMap> maps = sdp.media[*index].rtpMaps();
  const sip::RtpMap* first = FirstCodecMap(maps);
  return first ? CodecName(sdp.media[*index], std::to_string(first->payloadType)) : std::string();
}

bool Offers(const sip::SessionDescription& sdp, const std::string& codec) {
  auto index = sdp.findMedia("audio");
  if (!index) return false;
  const auto& audio = sdp.media[*index];
  return std::any_of(audio.formats.begin(), audio.formats.end(),
                     [&](const std::string& f) { return CodecName(audio, f) == codec; });
}

media::StreamFormat NegotiatedFormat(const sip::SessionDescription& ours,
                                     const sip::SessionDescription& theirs) {
  media::StreamFormat format;
  auto a = ours.findMedia("audio");
  auto b = theirs.findMedia("audio");
  if (!a || !b || ours.media[*a].port == 0 || theirs.media[*b].port == 0) return format;
  const auto oursMaps = ours.media[*a].rtpMaps();
  const auto theirsMaps = theirs.media[*b].rtpMaps();
  // The answer lists the codec chosen first; an answer usually lists one.
  const sip::RtpMap* chosen = nullptr;
  if (CountCodecs(oursMaps) == 1) {
    chosen = FindMap(theirsMaps, *FirstCodecMap(oursMaps));
  } else {
    for (const auto& map : theirsMaps)
      if (!IsTelephoneEvent(map) && FindMap(oursMaps, map)) {
        chosen = &map;
        break;
      }
  }
  if (chosen == nullptr) return format;
  format.codec = chosen->encoding;
  format.payloadType = chosen->payloadType;
  format.fmtp = chosen->fmtp;
  if (TelephoneEventType(oursMaps) >= 0) format.telephoneEvent = TelephoneEventType(theirsMaps);
  return format;
}

}  // namespace pbx::call
