#include "examples/pbxd/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "examples/pbxd/config_reader.h"
#include "examples/pbxd/listen_address.h"
#include "pbx/media/media_types.h"
#include "pbx/sip/sofia.h"

namespace pbxd {
namespace {

using config_internal::Reader;

absl::Status ReadSip(Reader& r, const YAML::Node& sip, pbx::SipOptions& o,
                     pbx::sip::SofiaTuning& sofia) {
  if (!sip) return absl::OkStatus();
  RETURN_IF_ERROR(r.onlyKeys(sip, "sip",
                             {"listen", "domain", "user_agent", "udp_send_thread", "registration",
                              "no_answer_timeout", "overload", "session_timer"}));
  if (auto listen = sip["listen"]) {
    if (!listen.IsSequence() || listen.size() == 0)
      return r.error(listen, "sip.listen", "expected a list like [udp:127.0.0.1:5060]");
    o.listen.clear();
    for (size_t i = 0; i < listen.size(); ++i) {
      std::string path = absl::StrCat("sip.listen[", i, "]");
      std::string entry;
      RETURN_IF_ERROR(r.str(listen[i], path, &entry));
      if (auto uri = pbx::sip::ListenEntryToUri(entry); !uri.ok())
        return r.error(listen[i], path, std::string(uri.status().message()));
      // nua binds one address and port for all transports (docs/architecture.md).
      std::string hostport = entry.substr(4);
      if (!o.listen.empty() && o.listen.front().substr(4) != hostport)
        return r.error(listen[i], path,
                       "every listen entry must use the same address and port as the first (" +
                           o.listen.front().substr(4) + ")");
      o.listen.push_back(entry);
    }
  }
  RETURN_IF_ERROR(r.str(sip["domain"], "sip.domain", &o.domain));
  RETURN_IF_ERROR(r.str(sip["user_agent"], "sip.user_agent", &o.userAgent));
  RETURN_IF_ERROR(r.boolean(sip["udp_send_thread"], "sip.udp_send_thread", &sofia.udpSendThread));
  RETURN_IF_ERROR(
      r.duration(sip["no_answer_timeout"], "sip.no_answer_timeout", &o.noAnswerTimeout));
  if (auto reg = sip["registration"]) {
    RETURN_IF_ERROR(
        r.onlyKeys(reg, "sip.registration", {"min_expires", "max_expires", "default_expires"}));
    RETURN_IF_ERROR(
        r.duration(reg["min_expires"], "sip.registration.min_expires", &o.registration.minExpires));
    RETURN_IF_ERROR(
        r.duration(reg["max_expires"], "sip.registration.max_expires", &o.registration.maxExpires));
    RETURN_IF_ERROR(r.duration(reg["default_expires"], "sip.registration.default_expires",
                               &o.registration.defaultExpires));
    if (o.registration.minExpires > o.registration.maxExpires)
      return r.error(reg, "sip.registration", "min_expires is larger than max_expires");
  }
  if (auto ov = sip["overload"]) {
    RETURN_IF_ERROR(r.onlyKeys(ov, "sip.overload",
                               {"max_call_setups_per_second", "max_pending_transactions",
                                "max_receive_queue_percent", "retry_after"}));
    uint32_t cps = 0, pending = 0;
    RETURN_IF_ERROR(r.number(ov["max_call_setups_per_second"],
                             "sip.overload.max_call_setups_per_second", &cps, 1000000));
    RETURN_IF_ERROR(r.number(ov["max_pending_transactions"],
                             "sip.overload.max_pending_transactions", &pending, 10000000));
    // 0 keeps the measured default (see docs/benchmarks.md).
    if (cps) o.overload.maxCallSetupsPerSecond = cps;
    if (pending) o.overload.maxPendingTransactions = pending;
    RETURN_IF_ERROR(r.number(ov["max_receive_queue_percent"],
                             "sip.overload.max_receive_queue_percent",
                             &o.overload.maxReceiveQueuePercent, 100));
    RETURN_IF_ERROR(
        r.duration(ov["retry_after"], "sip.overload.retry_after", &o.overload.retryAfter));
  }
  if (auto st = sip["session_timer"]) {
    RETURN_IF_ERROR(r.onlyKeys(st, "sip.session_timer", {"interval", "min_se"}));
    RETURN_IF_ERROR(
        r.duration(st["interval"], "sip.session_timer.interval", &o.sessionTimer.interval));
    RETURN_IF_ERROR(r.duration(st["min_se"], "sip.session_timer.min_se", &o.sessionTimer.minSE));
    if (o.sessionTimer.minSE < std::chrono::seconds(90))
      return r.error(st["min_se"], "sip.session_timer.min_se", "RFC 4028 asks for at least 90s");
    if (o.sessionTimer.interval < o.sessionTimer.minSE)
      return r.error(st, "sip.session_timer", "interval is shorter than min_se");
  }
  return absl::OkStatus();
}

absl::Status ReadRouting(Reader& r, const YAML::Node& routing, pbx::RoutingOptions& o) {
  if (!routing) return absl::OkStatus();
  RETURN_IF_ERROR(r.onlyKeys(routing, "routing",
                             {"decision_timeout", "park_timeout", "park_extension", "park_slots",
                              "directed_pickup_prefix", "group_pickup_code"}));
  RETURN_IF_ERROR(
      r.duration(routing["decision_timeout"], "routing.decision_timeout", &o.decisionTimeout));
  RETURN_IF_ERROR(r.duration(routing["park_timeout"], "routing.park_timeout", &o.parkTimeout));
  RETURN_IF_ERROR(
      r.str(routing["park_extension"], "routing.park_extension", &o.numbering.parkExtension));
  if (auto slots = routing["park_slots"]) {
    if (!slots.IsSequence() || slots.size() == 0 || slots.size() > 1000)
      return r.error(slots, "routing.park_slots", "expected a list of 1 to 1000 numbers");
    o.numbering.parkSlots.clear();
    std::set<std::string> seen;
    for (size_t i = 0; i < slots.size(); ++i) {
      std::string path = absl::StrCat("routing.park_slots[", i, "]"), slot;
      RETURN_IF_ERROR(r.str(slots[i], path, &slot));
      if (slot.empty() || !seen.insert(slot).second)
        return r.error(slots[i], path, "empty, or listed twice");
      o.numbering.parkSlots.push_back(slot);
    }
  }
  RETURN_IF_ERROR(r.str(routing["directed_pickup_prefix"], "routing.directed_pickup_prefix",
                        &o.numbering.directedPickupPrefix));
  RETURN_IF_ERROR(r.str(routing["group_pickup_code"], "routing.group_pickup_code",
                        &o.numbering.groupPickupCode));
  return absl::OkStatus();
}

// An account's codec preference: SDP names pbxkit supports (any case, kept in pbxkit's
// spelling), most preferred first. Absent: every codec.
// srtp: off | optional | mandatory (pbx::SrtpPolicy); absent: optional.
absl::Status ReadSrtp(Reader& r, const YAML::Node& node, const std::string& path,
                      pbx::SrtpPolicy& out) {
  if (!node) return absl::OkStatus();
  std::string value;
  RETURN_IF_ERROR(r.str(node, path, &value));
  if (value == "off") {
    out = pbx::SrtpPolicy::kOff;
  } else if (value == "optional") {
    out = pbx::SrtpPolicy::kOptional;
  } else if (value == "mandatory") {
    out = pbx::SrtpPolicy::kMandatory;
  } else {
    return r.error(node, path, "expected off, optional or mandatory, not '" + value + "'");
  }
  return absl::OkStatus();
}

absl::Status ReadCodecs(Reader& r, const YAML::Node& list, const std::string& path,
                        std::vector<std::string>& out) {
  if (!list) return absl::OkStatus();
  const std::vector<std::string> supported = pbx::media::SupportedCodecNames();
  const std::string expected = absl::StrJoin(supported, ", ");
  if (!list.IsSequence() || list.size() == 0)
    return r.error(list, path,
                   "expected a list of codecs, most preferred first (from: " + expected + ")");
  for (size_t i = 0; i < list.size(); ++i) {
    std::string entry_path = absl::StrCat(path, "[", i, "]");
    std::string name;
    RETURN_IF_ERROR(r.str(list[i], entry_path, &name));
    auto known = std::find_if(supported.begin(), supported.end(), [&](const std::string& s) {
      return absl::EqualsIgnoreCase(s, name);
    });
    if (known == supported.end())
      return r.error(list[i], entry_path,
                     absl::StrCat("unknown codec '", name, "' (expected one of: ", expected, ")"));
    if (std::find(out.begin(), out.end(), *known) != out.end())
      return r.error(list[i], entry_path, "codec " + *known + " is listed twice");
    out.push_back(*known);
  }
  return absl::OkStatus();
}

absl::Status ReadExtensions(Reader& r, const YAML::Node& exts, pbx::Directory& d) {
  if (!exts) return absl::OkStatus();
  if (!exts.IsSequence()) return r.error(exts, "extensions", "expected a list");
  std::set<std::string> numbers, usernames;
  for (size_t i = 0; i < exts.size(); ++i) {
    const YAML::Node& e = exts[i];
    std::string path = absl::StrCat("extensions[", i, "]");
    RETURN_IF_ERROR(r.onlyKeys(e, path, {"number", "name", "accounts", "pickup_groups"}));
    pbx::Extension ext;
    RETURN_IF_ERROR(r.str(e["number"], path + ".number", &ext.number));
    if (ext.number.empty()) return r.error(e, path + ".number", "missing");
    if (!numbers.insert(ext.number).second)
      return r.error(e["number"], path + ".number", "number " + ext.number + " is used twice");
    RETURN_IF_ERROR(r.str(e["name"], path + ".name", &ext.displayName));
    if (auto groups = e["pickup_groups"]) {
      if (!groups.IsSequence())
        return r.error(groups, path + ".pickup_groups", "expected a list of group names");
      for (size_t j = 0; j < groups.size(); ++j) {
        std::string group;
        RETURN_IF_ERROR(r.str(groups[j], absl::StrCat(path, ".pickup_groups[", j, "]"), &group));
        ext.pickupGroups.push_back(group);
      }
    }
    if (auto accounts = e["accounts"]) {
      if (!accounts.IsSequence()) return r.error(accounts, path + ".accounts", "expected a list");
      for (size_t j = 0; j < accounts.size(); ++j) {
        std::string apath = absl::StrCat(path, ".accounts[", j, "]");
        RETURN_IF_ERROR(r.onlyKeys(accounts[j], apath, {"username", "password", "codecs", "srtp"}));
        pbx::Account a;
        RETURN_IF_ERROR(r.str(accounts[j]["username"], apath + ".username", &a.username));
        RETURN_IF_ERROR(r.str(accounts[j]["password"], apath + ".password", &a.password));
        if (a.username.empty()) return r.error(accounts[j], apath + ".username", "missing");
        if (a.password.empty()) return r.error(accounts[j], apath + ".password", "missing");
        RETURN_IF_ERROR(ReadCodecs(r, accounts[j]["codecs"], apath + ".codecs", a.codecs));
        RETURN_IF_ERROR(ReadSrtp(r, accounts[j]["srtp"], apath + ".srtp", a.srtp));
        if (!usernames.insert(a.username).second)
          return r.error(accounts[j]["username"], apath + ".username",
                         "username " + a.username + " is used twice");
        ext.accounts.push_back(std::move(a));
      }
    }
    d.extensions.push_back(std::move(ext));
  }
  return absl::OkStatus();
}

// Whether `text` has a byte a header value cannot carry as it is (controls, `"`, `\\`).
bool HasUnsafeByte(const std::string& text) {
  for (unsigned char c : text)
    if (c < 0x20 || c == 0x7F || c == '"' || c == '\\') return true;
  return false;
}

absl::Status ReadRest(Reader& r, const YAML::Node& rest, RestConfig& o) {
  if (!rest) return absl::OkStatus();
  RETURN_IF_ERROR(r.onlyKeys(rest, "rest", {"listen", "domain", "salt", "users"}));
  o.listen = "127.0.0.1:8080";
  RETURN_IF_ERROR(r.str(rest["listen"], "rest.listen", &o.listen));
  if (!o.enabled()) return absl::OkStatus();
  if (auto address = ListenAddress::Parse(o.listen); !address.ok())
    return r.error(rest["listen"], "rest.listen", std::string(address.status().message()));
  RETURN_IF_ERROR(r.str(rest["domain"], "rest.domain", &o.domain));
  if (o.domain.empty() || HasUnsafeByte(o.domain) || o.domain.find('/') != std::string::npos)
    return r.error(rest["domain"], "rest.domain",
                   "expected a name without '/', quotes, backslashes or control characters");
  RETURN_IF_ERROR(r.str(rest["salt"], "rest.salt", &o.salt));
  if (rest["salt"] && (o.salt.empty() || HasUnsafeByte(o.salt)))
    return r.error(rest["salt"], "rest.salt",
                   "expected a non-empty text without quotes, backslashes or control characters");
  const YAML::Node& users = rest["users"];
  if (!users || !users.IsSequence() || users.size() == 0)
    return r.error(users ? users : rest, "rest.users",
                   "expected a list of at least one {username, password}");
  std::set<std::string> usernames;
  for (size_t i = 0; i < users.size(); ++i) {
    std::string path = absl::StrCat("rest.users[", i, "]");
    RETURN_IF_ERROR(r.onlyKeys(users[i], path, {"username", "password"}));
    RestConfig::User u;
    RETURN_IF_ERROR(r.str(users[i]["username"], path + ".username", &u.username));
    RETURN_IF_ERROR(r.str(users[i]["password"], path + ".password", &u.password));
    if (u.username.empty()) return r.error(users[i], path + ".username", "missing");
    if (HasUnsafeByte(u.username))
      return r.error(users[i]["username"], path + ".username",
                     "quotes, backslashes and control characters are not allowed");
    if (u.password.empty()) return r.error(users[i], path + ".password", "missing");
    if (!usernames.insert(u.username).second)
      return r.error(users[i]["username"], path + ".username",
                     "username " + u.username + " is used twice");
    o.users.push_back(std::move(u));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Config> ParseConfig(const std::string& text, const std::string& name,
                                   const std::string& baseDir) {
  Reader r(name);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ":", e.mark.line + 1, ": not valid YAML: ", e.msg));
  }
  Config c;
  if (root.IsNull()) return absl::InvalidArgumentError(name + ": the file is empty");
  try {
    RETURN_IF_ERROR(r.onlyKeys(
        root, "", {"sip", "media", "routing", "events", "metrics", "rest", "log", "extensions"}));
    RETURN_IF_ERROR(ReadSip(r, root["sip"], c.options.sip, c.sofia));
    RETURN_IF_ERROR(ReadRouting(r, root["routing"], c.options.routing));
    if (auto ev = root["events"]) {
      RETURN_IF_ERROR(r.onlyKeys(ev, "events", {"history_size"}));
      RETURN_IF_ERROR(r.number(ev["history_size"], "events.history_size",
                               &c.options.events.historySize, 10000000));
      if (c.options.events.historySize == 0)
        return r.error(ev["history_size"], "events.history_size", "must be at least 1");
    }
    RETURN_IF_ERROR(config_internal::ReadMedia(r, root["media"], baseDir, c));
    RETURN_IF_ERROR(ReadExtensions(r, root["extensions"], c.options.directory));
    if (auto m = root["metrics"]) {
      RETURN_IF_ERROR(r.onlyKeys(m, "metrics", {"listen"}));
      RETURN_IF_ERROR(r.str(m["listen"], "metrics.listen", &c.metricsListen));
    }
    RETURN_IF_ERROR(ReadRest(r, root["rest"], c.rest));
    if (auto l = root["log"]) {
      RETURN_IF_ERROR(r.onlyKeys(l, "log", {"level"}));
      std::string level = "info";
      RETURN_IF_ERROR(r.str(l["level"], "log.level", &level));
      if (!pbx::ParseLogLevel(level, &c.logLevel))
        return r.error(l["level"], "log.level",
                       "expected trace, debug, info, warning, error or off");
    }
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(name, ":", e.mark.line + 1, ": ", e.msg));
  }
  return c;
}

absl::StatusOr<Config> LoadConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(path + ": cannot open the file");
  std::stringstream text;
  text << in.rdbuf();
  std::error_code error;
  std::filesystem::path absolute = std::filesystem::absolute(path, error);
  return ParseConfig(text.str(), path, error ? "" : absolute.parent_path().string());
}

}  // namespace pbxd
