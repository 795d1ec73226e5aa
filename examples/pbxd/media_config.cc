// The `media:` section of pbxd's config (config_reader.h).
#include <filesystem>

#include "examples/pbxd/config_reader.h"
#include "examples/pbxd/media_directory.h"
#include "pbx/base/socket_address.h"

namespace pbxd::config_internal {
namespace {

// `dir` as the config names it, relative ones taken from `baseDir`.
std::string FromBase(const std::string& dir, const std::string& baseDir) {
  std::filesystem::path path(dir);
  if (path.is_relative() && !baseDir.empty()) path = std::filesystem::path(baseDir) / path;
  return path.lexically_normal().string();
}

// A directory setting: a non-empty path, taken from `baseDir` when relative.
absl::Status ReadDirectory(Reader& r, const YAML::Node& node, const std::string& path,
                           const std::string& baseDir, std::string* out) {
  if (!node) return absl::OkStatus();
  std::string dir;
  RETURN_IF_ERROR(r.str(node, path, &dir));
  if (dir.empty()) return r.error(node, path, "expected a directory");
  *out = FromBase(dir, baseDir);
  return absl::OkStatus();
}

// music_on_hold: sound files, relative to prompts_dir unless absolute.
absl::Status ReadMusicOnHold(Reader& r, const YAML::Node& list, const std::string& promptsDir,
                             std::vector<std::string>& out) {
  if (!list) return absl::OkStatus();
  if (!list.IsSequence() || list.size() == 0)
    return r.error(list, "media.music_on_hold",
                   "expected a list of sound files (relative to media.prompts_dir)");
  out.clear();
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string path = absl::StrCat("media.music_on_hold[", i, "]");
    std::string file;
    RETURN_IF_ERROR(r.str(list[i], path, &file));
    if (!file.empty() && file.front() == '/') {
      out.push_back(std::filesystem::path(file).lexically_normal().string());
      continue;
    }
    if (auto s = CheckRelativeName(file, "file"); !s.ok())
      return r.error(list[i], path, std::string(s.message()));
    if (promptsDir.empty())
      return r.error(list[i], path,
                     "a relative file needs media.prompts_dir (or give an absolute path)");
    out.push_back((std::filesystem::path(promptsDir) / file).lexically_normal().string());
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ReadMedia(Reader& r, const YAML::Node& media, const std::string& baseDir,
                       Config& config) {
  if (!media) return absl::OkStatus();
  pbx::MediaOptions& o = config.options.media;
  RETURN_IF_ERROR(r.onlyKeys(media, "media",
                             {"address", "port_min", "port_max", "threads", "rtp_timeout",
                              "prompts_dir", "recordings_dir", "music_on_hold"}));
  RETURN_IF_ERROR(r.str(media["address"], "media.address", &o.engine.address));
  if (auto a = pbx::SocketAddress::Parse(o.engine.address, 0); !a.ok())
    return r.error(media["address"], "media.address", "expected a numeric IP address");
  RETURN_IF_ERROR(r.number(media["port_min"], "media.port_min", &o.engine.portMin, 65534));
  RETURN_IF_ERROR(r.number(media["port_max"], "media.port_max", &o.engine.portMax, 65535));
  if (o.engine.portMin + 3 > o.engine.portMax)
    return r.error(media, "media",
                   "port_max must be at least port_min + 3 (one relay needs 4 ports)");
  RETURN_IF_ERROR(r.number(media["threads"], "media.threads", &o.engine.threads, 256));
  RETURN_IF_ERROR(r.duration(media["rtp_timeout"], "media.rtp_timeout", &o.rtpTimeout));
  RETURN_IF_ERROR(ReadDirectory(r, media["prompts_dir"], "media.prompts_dir", baseDir,
                                &config.mediaFiles.promptsDir));
  RETURN_IF_ERROR(ReadDirectory(r, media["recordings_dir"], "media.recordings_dir", baseDir,
                                &config.mediaFiles.recordingsDir));
  RETURN_IF_ERROR(
      ReadMusicOnHold(r, media["music_on_hold"], config.mediaFiles.promptsDir, o.musicOnHold));
  // In-call *1 records into the same directory as the REST API's recordings.
  config.options.routing.features.recordingsDirectory = config.mediaFiles.recordingsDir;
  return absl::OkStatus();
}

}  // namespace pbxd::config_internal
