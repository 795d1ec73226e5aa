#include "lib/sip/common/stateless_reply.h"

#include <cstring>
#include <functional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"

namespace pbx::sip::internal {
namespace {

constexpr std::string_view kCrlf = "\r\n";
constexpr std::string_view kBranchMagic = "z9hG4bK";

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

bool IsLws(char c) { return c == ' ' || c == '\t'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsLws(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsLws(s.back())) s.remove_suffix(1);
  return s;
}

bool IsTokenChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || std::strchr("-.!%*_+`'~", c);
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c == '\0' || !IsTokenChar(c)) return false;
  return true;
}

// 1 to 10 decimal digits.
std::optional<uint64_t> Number(std::string_view s) {
  if (s.empty() || s.size() > 10) return std::nullopt;
  uint64_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  return n;
}

// ";a=b;c": each parameter a token, named once, with a value of token characters (an IPv6
// address's too), if any. Quoted values, and anything else sofia-sip might read otherwise
// (for a repeated branch or tag, another one than Param finds), are not.
bool ArePlainParams(std::string_view params) {
  std::vector<std::string_view> names;
  while (!params.empty()) {
    if (params.front() != ';') return false;
    params.remove_prefix(1);
    size_t semi = params.find(';');
    std::string_view item = params.substr(0, semi);
    params = semi == std::string_view::npos ? std::string_view() : params.substr(semi);
    size_t eq = item.find('=');
    std::string_view name = Trim(item.substr(0, eq));
    if (!IsToken(name)) return false;
    for (std::string_view seen : names)
      if (IEquals(seen, name)) return false;
    names.push_back(name);
    if (eq == std::string_view::npos) continue;
    std::string_view value = Trim(item.substr(eq + 1));
    if (value.empty()) return false;
    for (char c : value)
      if (!IsTokenChar(c) && c != ':' && c != '[' && c != ']') return false;
  }
  return true;
}

// The length of the host at the start of `s` (a name, an IPv4 address, or an IPv6 reference
// in brackets), 0 when there is none.
size_t HostLength(std::string_view s) {
  if (!s.empty() && s.front() == '[') {
    size_t end = s.find(']');
    if (end == std::string_view::npos || end < 3) return 0;
    for (char c : s.substr(1, end - 1))
      if (!absl::ascii_isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') return 0;
    return end + 1;
  }
  size_t end = 0;
  while (end < s.size() && (absl::ascii_isalnum(static_cast<unsigned char>(s[end])) ||
                            s[end] == '.' || s[end] == '-'))
    ++end;
  return end;
}

// ":5060" at the start of `s`: the port, and its length in `length`; nullopt for none or a
// malformed one.
std::optional<uint16_t> LeadingPort(std::string_view s, size_t& length) {
  if (s.empty() || s.front() != ':') return std::nullopt;
  length = 1;
  while (length < s.size() && s[length] >= '0' && s[length] <= '9') ++length;
  auto port = Number(s.substr(1, length - 1));
  if (!port || *port == 0 || *port > 65535) return std::nullopt;
  return static_cast<uint16_t>(*port);
}

// A URI's characters: visible ASCII (RFC 3261 25.1), without <, > or ", and every % the
// start of an escape ("%3C").
bool IsUriText(std::string_view uri) {
  if (uri.empty()) return false;
  for (size_t i = 0; i < uri.size(); ++i) {
    auto u = static_cast<unsigned char>(uri[i]);
    if (u <= 0x20 || u >= 0x7f || u == '<' || u == '>' || u == '"') return false;
    if (u == '%' && (i + 2 >= uri.size() || !absl::ascii_isxdigit(uri[i + 1]) ||
                     !absl::ascii_isxdigit(uri[i + 2])))
      return false;
  }
  return true;
}

// A sip: or sips: URI that sofia-sip will take: visible ASCII, one @ at most, and a host (and
// port) that ends where the parameters or headers begin. Other schemes are left to sofia-sip.
bool IsPlainUri(std::string_view uri) {
  size_t colon = uri.find(':');
  if (!IsUriText(uri) || colon == std::string_view::npos) return false;
  std::string_view scheme = uri.substr(0, colon);
  if (!IEquals(scheme, "sip") && !IEquals(scheme, "sips")) return false;
  std::string_view rest = uri.substr(colon + 1);
  if (size_t at = rest.find('@'); at != std::string_view::npos) {  // a user part (may hold ; ?)
    if (rest.find('@', at + 1) != std::string_view::npos) return false;
    rest.remove_prefix(at + 1);
  }
  rest = rest.substr(0, rest.find_first_of(";?"));
  size_t host = HostLength(rest);
  if (host == 0) return false;
  rest.remove_prefix(host);
  size_t length = 0;
  return rest.empty() || (LeadingPort(rest, length) && length == rest.size());
}

// What follows a name-addr or addr-spec: the header's parameters, ";tag=abc;x=y" (or empty).
// nullopt for a value this scan does not take apart (an unterminated quote or angle bracket,
// a quoted display name without <> or followed by more than whitespace, a display name of
// other than tokens, a quote among the parameters).
std::optional<std::string_view> HeaderParams(std::string_view value) {
  size_t i = 0;
  if (!value.empty() && value.front() == '"') {
    for (i = 1; i < value.size() && value[i] != '"'; ++i)
      if (value[i] == '\\') ++i;
    if (i >= value.size()) return std::nullopt;
    ++i;
  }
  size_t lt = value.find('<', i);
  std::string_view params;
  if (lt != std::string_view::npos) {
    size_t gt = value.find('>', lt);
    if (gt == std::string_view::npos) return std::nullopt;
    for (char c : value.substr(i, lt - i))  // a display name of tokens, or none after a quote
      if (!IsLws(c) && (i > 0 || !IsTokenChar(c))) return std::nullopt;
    if (!IsPlainUri(value.substr(lt + 1, gt - lt - 1))) return std::nullopt;
    params = value.substr(gt + 1);
  } else {
    if (i > 0) return std::nullopt;
    size_t semi = value.find(';');
    std::string_view uri = Trim(value.substr(0, semi));  // no ? or , without <> (RFC 3261 20)
    if (!IsPlainUri(uri) || uri.find_first_of("?,") != std::string_view::npos) return std::nullopt;
    params = semi == std::string_view::npos ? std::string_view() : value.substr(semi);
  }
  params = Trim(params);
  if (!ArePlainParams(params)) return std::nullopt;
  return params;
}

// Parameter `name` of ";a=b;c": its value ("" for a valueless one), or nullopt when absent.
// The view of the name itself goes to `where` when given.
std::optional<std::string_view> Param(std::string_view params, std::string_view name,
                                      std::string_view* where = nullptr) {
  while (!params.empty()) {
    size_t semi = params.find(';');
    if (semi == std::string_view::npos) return std::nullopt;
    params.remove_prefix(semi + 1);
    std::string_view item = params.substr(0, params.find(';'));
    size_t eq = item.find('=');
    std::string_view key = Trim(item.substr(0, eq));
    if (!IEquals(key, name)) continue;
    if (where) *where = key;
    return eq == std::string_view::npos ? std::string_view() : Trim(item.substr(eq + 1));
  }
  return std::nullopt;
}

// The request line, "INVITE sip:100@pbx SIP/2.0": its method, or empty when it is not plainly
// an INVITE or ACK line.
std::string_view RequestMethod(std::string_view line) {
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.substr(sp2 + 1) != "SIP/2.0") return {};
  std::string_view method = line.substr(0, sp1);
  std::string_view uri = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (method != "INVITE" && method != "ACK") return {};
  if (uri.size() <= 4 || !IEquals(uri.substr(0, 4), "sip:") || !IsPlainUri(uri)) return {};
  return method;
}

// A Via's value, "SIP/2.0/UDP host:port;a=b;c", taken apart.
struct ViaParts {
  std::string_view transport, host, params;  // params: ";a=b;c", or empty
  uint16_t port = 0;                         // 0 when the sent-by has none
};

// nullopt unless `value` is one plain via-parm: several on one line, whitespace around the
// slashes, a quoted or otherwise unusual parameter go to sofia-sip instead.
std::optional<ViaParts> SplitVia(std::string_view value) {
  if (value.find(',') != std::string_view::npos || value.find('"') != std::string_view::npos)
    return std::nullopt;
  constexpr std::string_view kProtocol = "SIP/2.0/";
  if (value.size() <= kProtocol.size() || !IEquals(value.substr(0, kProtocol.size()), kProtocol))
    return std::nullopt;
  value.remove_prefix(kProtocol.size());
  size_t end = 0;
  while (end < value.size() && IsTokenChar(value[end])) ++end;
  if (end == 0 || end == value.size() || !IsLws(value[end])) return std::nullopt;
  ViaParts via;
  via.transport = value.substr(0, end);
  std::string_view rest = Trim(value.substr(end));
  size_t hostEnd = HostLength(rest);
  if (hostEnd == 0) return std::nullopt;
  via.host = rest.substr(0, hostEnd);
  rest.remove_prefix(hostEnd);
  if (!rest.empty() && rest.front() == ':') {
    size_t length = 0;
    auto port = LeadingPort(rest, length);
    if (!port) return std::nullopt;
    via.port = *port;
    rest.remove_prefix(length);
  }
  via.params = Trim(rest);
  if (!ArePlainParams(via.params)) return std::nullopt;
  return via;
}

// The top Via's value, "SIP/2.0/UDP host:port;branch=z9hG4bK...;rport", into `r`.
bool ScanTopVia(std::string_view value, ScannedRequest& r) {
  auto via = SplitVia(value);
  if (!via || !IEquals(via->transport, "UDP")) return false;
  r.viaHost = via->host;
  r.viaPort = via->port;
  auto branch = Param(via->params, "branch");
  if (!branch || branch->size() <= kBranchMagic.size() || !IsToken(*branch) ||
      branch->substr(0, kBranchMagic.size()) != kBranchMagic)
    return false;
  r.branch = *branch;
  if (Param(via->params, "received") || Param(via->params, "maddr") || Param(via->params, "comp"))
    return false;
  if (auto rport = Param(via->params, "rport")) {
    if (!rport->empty()) return false;
    r.viaRport = true;
  }
  return true;
}

bool IsPrintableLine(std::string_view line) {
  for (char c : line) {
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) return false;
  }
  return true;
}

}  // namespace

std::optional<ScannedRequest> ScanRequest(std::string_view datagram) {
  size_t eol = datagram.find(kCrlf);
  if (eol == std::string_view::npos) return std::nullopt;
  ScannedRequest r;
  r.method = RequestMethod(datagram.substr(0, eol));
  if (r.method.empty()) return std::nullopt;
  std::string_view fromValue, toValue;
  std::optional<uint64_t> contentLength, maxForwards;
  size_t pos = eol + 2;
  for (;;) {
    eol = datagram.find(kCrlf, pos);
    if (eol == std::string_view::npos) return std::nullopt;
    std::string_view line = datagram.substr(pos, eol - pos);
    pos = eol + 2;
    if (line.empty()) break;
    if (IsLws(line.front()) || !IsPrintableLine(line)) return std::nullopt;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    std::string_view name = Trim(line.substr(0, colon));
    std::string_view value = Trim(line.substr(colon + 1));
    if (!IsToken(name)) return std::nullopt;
    line = line.substr(0, value.data() + value.size() - line.data());  // no trailing LWS
    auto once = [&](std::string_view& slot) {
      if (!slot.empty() || value.empty()) return false;
      slot = line;
      return true;
    };
    if (IEquals(name, "via") || IEquals(name, "v")) {
      if (r.vias.empty() ? !ScanTopVia(value, r) : !SplitVia(value)) return std::nullopt;
      r.vias.push_back(line);
    } else if (IEquals(name, "from") || IEquals(name, "f")) {
      if (!once(r.from)) return std::nullopt;
      fromValue = value;
    } else if (IEquals(name, "to") || IEquals(name, "t")) {
      if (!once(r.to)) return std::nullopt;
      toValue = value;
    } else if (IEquals(name, "call-id") || IEquals(name, "i")) {
      if (!once(r.callId)) return std::nullopt;
      for (char c : value)  // visible ASCII: no UTF-8 (RFC 3261 25.1), which sofia-sip rejects
        if (auto u = static_cast<unsigned char>(c); u <= 0x20 || u >= 0x7f) return std::nullopt;
    } else if (IEquals(name, "cseq")) {
      if (!once(r.cseq)) return std::nullopt;
      size_t sp = value.find(' ');
      auto number = Number(value.substr(0, sp));
      if (sp == std::string_view::npos || !number || *number >= (1ull << 31) ||
          Trim(value.substr(sp)) != r.method)
        return std::nullopt;
    } else if (IEquals(name, "content-length") || IEquals(name, "l")) {
      if (contentLength || !(contentLength = Number(value))) return std::nullopt;
    } else if (IEquals(name, "max-forwards")) {
      if (maxForwards || !(maxForwards = Number(value)) || *maxForwards == 0 || *maxForwards > 255)
        return std::nullopt;
    } else if (IEquals(name, "proxy-authorization")) {
      r.proxyAuthorization = true;
    }
  }
  if (r.vias.empty() || r.from.empty() || r.to.empty() || r.callId.empty() || r.cseq.empty() ||
      !maxForwards || !contentLength || *contentLength != datagram.size() - pos)
    return std::nullopt;
  auto fromParams = HeaderParams(fromValue);
  auto fromTag = fromParams ? Param(*fromParams, "tag") : std::nullopt;
  if (!fromTag || !IsToken(*fromTag)) return std::nullopt;
  auto toParams = HeaderParams(toValue);
  if (!toParams) return std::nullopt;
  if (auto toTag = Param(*toParams, "tag")) {
    if (!IsToken(*toTag)) return std::nullopt;
    r.toTag = *toTag;
  }
  return r;
}

std::string StatelessTag(const ScannedRequest& request) {
  size_t h = std::hash<std::string_view>()(request.branch);
  h ^= std::hash<std::string_view>()(request.callId) + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  return absl::StrFormat("%s%016x", kStatelessTagPrefix, static_cast<uint64_t>(h));
}

bool IsStatelessTag(std::string_view tag) {
  return tag.size() > kStatelessTagPrefix.size() &&
         tag.substr(0, kStatelessTagPrefix.size()) == kStatelessTagPrefix;
}

std::string StatelessResponse(const ScannedRequest& request, const SocketAddress& source,
                              int status, std::string_view reason, std::string_view extraHeaders) {
  std::string out = "SIP/2.0 " + std::to_string(status) + " ";
  out.append(reason).append(kCrlf);
  for (size_t i = 0; i < request.vias.size(); ++i) {
    std::string_view via = request.vias[i];
    if (i == 0 && request.viaRport) {
      // The top Via is on a line of its own, so its one "rport" is the one to fill in.
      std::string_view where;
      Param(via.substr(via.find(';')), "rport", &where);
      size_t end = where.data() + where.size() - via.data();
      out.append(via.substr(0, end)).append("=").append(std::to_string(source.port()));
      out.append(via.substr(end));
    } else {
      out.append(via);
    }
    std::string_view host = request.viaHost;
    if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
    if (i == 0 && !IEquals(host, source.ip())) out.append(";received=").append(source.ip());
    out.append(kCrlf);
  }
  out.append(request.from).append(kCrlf).append(request.to);
  if (request.toTag.empty()) out.append(";tag=").append(StatelessTag(request));
  out.append(kCrlf).append(request.callId).append(kCrlf).append(request.cseq).append(kCrlf);
  out.append(extraHeaders).append("Content-Length: 0\r\n\r\n");
  return out;
}

SocketAddress StatelessResponseDestination(const ScannedRequest& request,
                                           const SocketAddress& source) {
  if (request.viaRport) return source;
  return source.withPort(request.viaPort ? request.viaPort : 5060);
}

}  // namespace pbx::sip::internal
