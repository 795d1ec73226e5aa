#include "lib/sip/sofia/sofia_convert.h"

#include <netinet/in.h>
#include <sofia-sip/msg_addr.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/su.h>

#include <sofia-sip/sip_status.h>
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

}  // namespace pbx::sip::internal
