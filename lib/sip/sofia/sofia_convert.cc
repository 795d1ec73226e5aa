#include "lib/sip/sofia/sofia_convert.h"

#include <netinet/in.h>
#include <sofia-sip/msg_addr.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/su.h>

#include <sofia-sip/sip_status.h>
#include <strings.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <set>
#include <string_view>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace pbx::sip::internal {
namespace {

std::string Str(const char* s) { return s ? std::string(s) : std::string(); }

std::string Unquote(std::string_view v) {
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') {
    std::string out;
    for (size_t i = 1; i + 1 < v.size(); ++i) {
      if (v[i] == '\\' && i + 2 < v.size()) ++i;
      out.push_back(v[i]);
    }
    return out;
  }
  return std::string(v);
}

}  // namespace

Uri ToUri(const url_t* url) {
  Uri out;
  if (url == nullptr) return out;
  out.user = Str(url->url_user);
  out.host = Str(url->url_host);
  if (!out.host.empty() && out.host.front() == '[' && out.host.back() == ']')
    out.host = out.host.substr(1, out.host.size() - 2);
  uint32_t port = 0;
  if (url->url_port && absl::SimpleAtoi(url->url_port, &port) && port <= 65535)
    out.port = static_cast<uint16_t>(port);
  if (url->url_params) out.params = ";" + Str(url->url_params);
  return out;
}

NameAddr ToNameAddr(const sip_addr_t* addr) {
  NameAddr out;
  if (addr == nullptr) return out;
  out.displayName = Unquote(Str(addr->a_display));
  out.uri = ToUri(addr->a_url);
  return out;
}

// Authorization / Proxy-Authorization parameters by their (lower-case) names.
constexpr std::pair<std::string_view, std::string DigestCredentials::*> kCredentialFields[] = {
    {"username", &DigestCredentials::username}, {"realm", &DigestCredentials::realm},
    {"nonce", &DigestCredentials::nonce},       {"uri", &DigestCredentials::uri},
    {"response", &DigestCredentials::response}, {"algorithm", &DigestCredentials::algorithm},
    {"cnonce", &DigestCredentials::cnonce},     {"nc", &DigestCredentials::nonceCount},
    {"qop", &DigestCredentials::qop},           {"opaque", &DigestCredentials::opaque},
};

std::optional<DigestCredentials> ToCredentials(const msg_auth_t* auth) {
  for (; auth != nullptr; auth = auth->au_next) {
    if (auth->au_scheme == nullptr || strcasecmp(auth->au_scheme, "Digest") != 0) continue;
    DigestCredentials c;
    for (const msg_param_t* p = auth->au_params; p && *p; ++p) {
      std::string_view param(*p);
      size_t eq = param.find('=');
      if (eq == std::string_view::npos) continue;
      std::string name = absl::AsciiStrToLower(std::string(param.substr(0, eq)));
      std::string value = Unquote(param.substr(eq + 1));
      for (const auto& [field, member] : kCredentialFields)
        if (name == field) c.*member = std::move(value);
    }
    return c;
  }
  return std::nullopt;
}

RequestSource SourceOf(msg_t* msg) {
  RequestSource out;
  su_addrinfo_t* ai = msg ? msg_addrinfo(msg) : nullptr;
  if (ai == nullptr || ai->ai_addr == nullptr) return out;
  auto address = SocketAddress::FromSockaddr(reinterpret_cast<const sockaddr*>(ai->ai_addr),
                                             static_cast<socklen_t>(ai->ai_addrlen));
  if (!address) return out;
  out.address = *address;
  out.transport = ai->ai_protocol == IPPROTO_TCP ? Transport::kTcp : Transport::kUdp;
  return out;
}

std::string SdpBodyOf(const sip_t* sip) {
  if (sip == nullptr || sip->sip_payload == nullptr || sip->sip_payload->pl_data == nullptr)
    return {};
  if (sip->sip_content_type && sip->sip_content_type->c_type &&
      strcasecmp(sip->sip_content_type->c_type, "application/sdp") != 0)
    return {};
  return std::string(sip->sip_payload->pl_data, sip->sip_payload->pl_len);
}

std::string UserAgentOf(const sip_t* sip) {
  if (sip == nullptr || sip->sip_user_agent == nullptr) return {};
  return Str(sip->sip_user_agent->g_string);
}

const char* StablePhrase(int status, const std::string& reason) {
  if (reason.empty()) {
    const char* standard = sip_status_phrase(status);
    return standard ? standard : "Unknown";
  }
  // Our reasons are a small fixed set of texts; each is stored once.
  static std::mutex mutex;
  static auto* phrases = new std::set<std::string>();
  std::lock_guard<std::mutex> lock(mutex);
  return phrases->insert(reason).first->c_str();
}

std::string NextHopUri(const RequestSource& source) {
  return absl::StrCat("sip:", source.address.str(), ";transport=", TransportName(source.transport));
}

std::optional<Replaces> ToReplaces(const sip_replaces_t* r) {
  if (r == nullptr || r->rp_call_id == nullptr || r->rp_to_tag == nullptr ||
      r->rp_from_tag == nullptr)
    return std::nullopt;
  return Replaces{r->rp_call_id, r->rp_to_tag, r->rp_from_tag, r->rp_early_only != 0};
}

bool HasOptionTag(const msg_list_t* list, const char* tag) {
  for (; list != nullptr; list = list->k_next)
    for (const msg_param_t* item = list->k_items; item && *item; ++item)
      if (strcasecmp(*item, tag) == 0) return true;
  return false;
}

SessionTimerRequest ToSessionTimer(const sip_t* sip) {
  SessionTimerRequest out;
  if (sip == nullptr) return out;
  if (const sip_session_expires_t* x = sip->sip_session_expires) {
    out.expires = static_cast<uint32_t>(std::min<unsigned long>(x->x_delta, 86400 * 7));
    if (x->x_refresher && strcasecmp(x->x_refresher, "uac") == 0)
      out.refresher = SessionTimerRequest::Refresher::kUac;
    else if (x->x_refresher && strcasecmp(x->x_refresher, "uas") == 0)
      out.refresher = SessionTimerRequest::Refresher::kUas;
  }
  if (sip->sip_min_se)
    out.minSE = static_cast<uint32_t>(std::min<unsigned long>(sip->sip_min_se->min_delta, 86400));
  out.supported =
      HasOptionTag(sip->sip_supported, "timer") || HasOptionTag(sip->sip_require, "timer");
  return out;
}

std::optional<Replaces> ParseReplaces(std::string_view value) {
  auto trim = [](std::string_view v) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    return v;
  };
  Replaces out;
  bool first = true;
  while (true) {
    size_t semi = value.find(';');
    std::string_view part = trim(value.substr(0, semi));
    if (first) {
      if (part.empty()) return std::nullopt;
      out.callId = std::string(part);
      first = false;
    } else {
      size_t eq = part.find('=');
      std::string name = absl::AsciiStrToLower(std::string(trim(part.substr(0, eq))));
      std::string val =
          eq == std::string_view::npos ? std::string() : std::string(trim(part.substr(eq + 1)));
      if (name == "to-tag")
        out.toTag = val;
      else if (name == "from-tag")
        out.fromTag = val;
      else if (name == "early-only")
        out.earlyOnly = true;
    }
    if (semi == std::string_view::npos) break;
    value.remove_prefix(semi + 1);
  }
  if (out.toTag.empty() || out.fromTag.empty()) return std::nullopt;
  return out;
}

std::optional<Replaces> ReplacesOfUriHeaders(const char* headers) {
  if (headers == nullptr) return std::nullopt;
  std::string_view all(headers);
  while (!all.empty()) {
    size_t amp = all.find('&');
    std::string_view field = all.substr(0, amp);
    size_t eq = field.find('=');
    if (eq != std::string_view::npos &&
        absl::AsciiStrToLower(std::string(field.substr(0, eq))) == "replaces") {
      std::string decoded;
      std::string_view v = field.substr(eq + 1);
      for (size_t i = 0; i < v.size(); ++i) {
        int hi, lo;
        auto hex = [](char c) {
          if (c >= '0' && c <= '9') return c - '0';
          if (c >= 'a' && c <= 'f') return c - 'a' + 10;
          if (c >= 'A' && c <= 'F') return c - 'A' + 10;
          return -1;
        };
        if (v[i] == '%' && i + 2 < v.size() && (hi = hex(v[i + 1])) >= 0 &&
            (lo = hex(v[i + 2])) >= 0) {
          decoded.push_back(static_cast<char>(hi * 16 + lo));
          i += 2;
        } else if (v[i] == '%') {
          return std::nullopt;  // a broken escape
        } else {
          decoded.push_back(v[i]);
        }
      }
      return ParseReplaces(decoded);
    }
    if (amp == std::string_view::npos) break;
    all.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

}  // namespace pbx::sip::internal
