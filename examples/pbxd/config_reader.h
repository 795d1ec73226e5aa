// The config's YAML reader, shared by the files that read its sections (config.cc, and
// media_config.cc for `media:`). Private to pbxd's config: use LoadConfig() (config.h).
//
//   Reader r("demo.yaml");
//   RETURN_IF_ERROR(r.onlyKeys(node, "media", {"address", "port_min"}));
//   RETURN_IF_ERROR(r.duration(node["rtp_timeout"], "media.rtp_timeout", &o.rtpTimeout));
//
// Thread-safety: one Reader per parse.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "examples/pbxd/config.h"
#include "examples/pbxd/duration.h"

namespace pbxd::config_internal {

// Walks the YAML tree, remembering the path of every field for messages.
class Reader {
 public:
  explicit Reader(std::string name) : name_(std::move(name)) {}

  absl::Status error(const YAML::Node& node, const std::string& path, const std::string& msg) {
    int line = node.Mark().line >= 0 ? node.Mark().line + 1 : 0;
    return absl::InvalidArgumentError(absl::StrCat(name_, ":", line, ": ", path, ": ", msg));
  }

  // Fails on keys not in `allowed` (typos must not be silently ignored).
  absl::Status onlyKeys(const YAML::Node& map, const std::string& path,
                        const std::set<std::string>& allowed) {
    if (!map.IsMap()) return error(map, path, "expected a mapping");
    for (const auto& kv : map) {
      std::string key = kv.first.as<std::string>();
      if (!allowed.count(key)) {
        std::string list;
        for (const auto& a : allowed) absl::StrAppend(&list, list.empty() ? "" : ", ", a);
        return error(kv.first, path.empty() ? key : path + "." + key,
                     absl::StrCat("unknown field (expected one of: ", list, ")"));
      }
    }
    return absl::OkStatus();
  }

  absl::Status str(const YAML::Node& node, const std::string& path, std::string* out) {
    if (!node) return absl::OkStatus();
    if (!node.IsScalar()) return error(node, path, "expected a string");
    *out = node.Scalar();
    return absl::OkStatus();
  }

  template <typename T>
  absl::Status number(const YAML::Node& node, const std::string& path, T* out, uint64_t max) {
    if (!node) return absl::OkStatus();
    uint64_t v = 0;
    if (!node.IsScalar() || !absl::SimpleAtoi(node.Scalar(), &v) || v > max)
      return error(node, path, absl::StrCat("expected a whole number from 0 to ", max));
    *out = static_cast<T>(v);
    return absl::OkStatus();
  }

  absl::Status boolean(const YAML::Node& node, const std::string& path, bool* out) {
    if (!node) return absl::OkStatus();
    if (node.IsScalar() && (node.Scalar() == "true" || node.Scalar() == "false")) {
      *out = node.Scalar() == "true";
      return absl::OkStatus();
    }
    return error(node, path, "expected true or false");
  }

  template <typename D>
  absl::Status duration(const YAML::Node& node, const std::string& path, D* out) {
    if (!node) return absl::OkStatus();
    auto d = node.IsScalar() ? ParseDuration(node.Scalar()) : std::nullopt;
    if (!d) return error(node, path, "expected a duration like 30s, 5m or 1h");
    *out = std::chrono::duration_cast<D>(*d);
    return absl::OkStatus();
  }

 private:
  std::string name_;
};

#ifndef RETURN_IF_ERROR
#define RETURN_IF_ERROR(expr)               \
  do {                                      \
    if (auto s = (expr); !s.ok()) return s; \
  } while (0)
#endif

// The `media:` section (media_config.cc): the media engine, the RTP timeout, music on hold and
// the directories of the REST API's prompts and recordings. Relative directories are taken
// from `baseDir` (the config file's directory; empty: the working directory).
absl::Status ReadMedia(Reader& r, const YAML::Node& media, const std::string& baseDir,
                       Config& config);

}  // namespace pbxd::config_internal
