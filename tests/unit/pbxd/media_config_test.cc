// The `media:` section's files: the prompts and recordings directories (relative ones taken
// from the config file's directory) and music on hold (relative to prompts_dir).
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "examples/pbxd/config.h"

namespace {

std::string ErrorOf(const std::string& yaml) {
  auto c = pbxd::ParseConfig(yaml, "t.yaml", "/etc/pbxd");
  return c.ok() ? "" : std::string(c.status().message());
}

}  // namespace

TEST_CASE("without media directories the REST API neither plays nor records") {
  auto c = pbxd::ParseConfig("media: {address: 127.0.0.1}\n", "t.yaml", "/etc/pbxd");
  REQUIRE(c.ok());
  CHECK(c->mediaFiles.promptsDir.empty());
  CHECK(c->mediaFiles.recordingsDir.empty());
  CHECK(c->options.media.musicOnHold.empty());
}

TEST_CASE("relative media directories are taken from the config file's directory") {
  auto c = pbxd::ParseConfig(
      "media:\n  prompts_dir: sounds/prompts\n  recordings_dir: ../var/recordings/\n", "t.yaml",
      "/etc/pbxd");
  REQUIRE(c.ok());
  CHECK(c->mediaFiles.promptsDir == "/etc/pbxd/sounds/prompts");
  CHECK(c->mediaFiles.recordingsDir == "/etc/var/recordings/");

  auto absolute = pbxd::ParseConfig(
      "media: {prompts_dir: /srv/prompts, recordings_dir: /srv/rec}\n", "t.yaml", "/etc/pbxd");
  REQUIRE(absolute.ok());
  CHECK(absolute->mediaFiles.promptsDir == "/srv/prompts");
  CHECK(absolute->mediaFiles.recordingsDir == "/srv/rec");

  // Without a base (text parsed on its own) they stay relative: to the working directory.
  auto text = pbxd::ParseConfig("media: {prompts_dir: prompts}\n", "t.yaml");
  REQUIRE(text.ok());
  CHECK(text->mediaFiles.promptsDir == "prompts");
}

TEST_CASE("music on hold: files in prompts_dir, or absolute paths") {
  auto c = pbxd::ParseConfig(
      "media:\n  prompts_dir: /srv/prompts\n"
      "  music_on_hold: [moh/jazz.wav, /usr/share/sounds/hold.wav, bell.wav]\n",
      "t.yaml", "/etc/pbxd");
  REQUIRE(c.ok());
  CHECK(c->options.media.musicOnHold == std::vector<std::string>{"/srv/prompts/moh/jazz.wav",
                                                                 "/usr/share/sounds/hold.wav",
                                                                 "/srv/prompts/bell.wav"});
  // The order of the keys does not matter.
  auto reversed = pbxd::ParseConfig("media:\n  music_on_hold: [a.wav]\n  prompts_dir: p\n",
                                    "t.yaml", "/etc/pbxd");
  REQUIRE(reversed.ok());
  CHECK(reversed->options.media.musicOnHold == std::vector<std::string>{"/etc/pbxd/p/a.wav"});
}

TEST_CASE("media file errors name the file, the line and the field") {
  CHECK(ErrorOf("media:\n  prompts_dir: \"\"\n") ==
        "t.yaml:2: media.prompts_dir: expected a directory");
  CHECK(ErrorOf("media:\n  recordings_dir: [a, b]\n") ==
        "t.yaml:2: media.recordings_dir: expected a string");
  CHECK(ErrorOf("media:\n  music_on_hold: [a.wav]\n") ==
        "t.yaml:2: media.music_on_hold[0]: a relative file needs media.prompts_dir (or give an "
        "absolute path)");
  CHECK(ErrorOf("media:\n  prompts_dir: p\n  music_on_hold: [../../etc/x.wav]\n") ==
        "t.yaml:3: media.music_on_hold[0]: file '../../etc/x.wav': '..' would leave the "
        "directory");
  CHECK(ErrorOf("media:\n  prompts_dir: p\n  music_on_hold: []\n") ==
        "t.yaml:3: media.music_on_hold: expected a list of sound files (relative to "
        "media.prompts_dir)");
  CHECK(ErrorOf("media:\n  prompt_dir: p\n").find("t.yaml:2: media.prompt_dir: unknown field") ==
        0);
}

TEST_CASE("the demo config keeps its prompts and recordings in the build tree") {
  const std::string source = PBX_SOURCE_DIR;
  auto c = pbxd::LoadConfig(source + "/examples/config/demo.yaml");
  REQUIRE(c.ok());
  namespace fs = std::filesystem;
  CHECK(c->mediaFiles.promptsDir ==
        (fs::absolute(source) / "build/media/prompts").lexically_normal().string());
  CHECK(c->mediaFiles.recordingsDir ==
        (fs::absolute(source) / "build/media/recordings").lexically_normal().string());
  CHECK(c->options.media.musicOnHold.empty());
}
