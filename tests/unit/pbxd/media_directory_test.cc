// MediaDirectory: the names REST clients give for prompts and recordings stay inside pbxd's
// directories — by their letters (absolute, "..") and on the file system (symbolic links out).
#include "examples/pbxd/media_directory.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;
using pbxd::MediaDirectory;

namespace {

// A temp dir with `root/` (the media directory, not yet created) and `outside/secret.wav`
// beside it; removed at the end.
struct TempTree {
  TempTree() {
    std::string pattern = (fs::temp_directory_path() / "pbxd-media-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    base = pattern;
    root = base / "root";
    fs::create_directories(base / "outside");
    Write(base / "outside" / "secret.wav");
  }
  ~TempTree() {
    std::error_code ignored;
    fs::remove_all(base, ignored);
  }
  static void Write(const fs::path& path) { std::ofstream(path) << "RIFF"; }

  MediaDirectory open(MediaDirectory::Access access = MediaDirectory::Access::kWrite) {
    auto dir = MediaDirectory::Open(root.string(), "media.prompts_dir", access);
    REQUIRE(dir.ok());
    return *dir;
  }

  fs::path base;
  fs::path root;
};

absl::StatusCode CodeOf(const absl::StatusOr<std::string>& result) {
  return result.status().code();
}

}  // namespace

TEST_CASE("Open creates a missing directory with its parents and resolves it") {
  TempTree t;
  auto dir = MediaDirectory::Open((t.root / "a" / "b").string(), "media.recordings_dir",
                                  MediaDirectory::Access::kWrite);
  REQUIRE(dir.ok());
  CHECK(fs::is_directory(t.root / "a" / "b"));
  CHECK(dir->path() == fs::canonical(t.root / "a" / "b").string());
}

TEST_CASE("Open refuses a path it cannot create or that is not a directory, naming the setting") {
  TempTree t;
  TempTree::Write(t.base / "file");
  auto overFile = MediaDirectory::Open((t.base / "file" / "x").string(), "media.recordings_dir",
                                       MediaDirectory::Access::kWrite);
  REQUIRE_FALSE(overFile.ok());
  CHECK(std::string(overFile.status().message()).find("media.recordings_dir: cannot create") == 0);
  auto isFile = MediaDirectory::Open((t.base / "file").string(), "media.prompts_dir",
                                     MediaDirectory::Access::kRead);
  REQUIRE_FALSE(isFile.ok());
  CHECK(std::string(isFile.status().message()).find("is not a directory") != std::string::npos);
  CHECK_FALSE(MediaDirectory::Open("", "media.prompts_dir", MediaDirectory::Access::kRead).ok());
}

TEST_CASE("names are checked by their letters before the file system") {
  for (const char* bad : {"", "/etc/passwd", "../outside/secret.wav", "a/../../x.wav", "..", "a/..",
                          "./x.wav", "a//x.wav", "dir/", "x\n.wav", "x\x7f.wav"}) {
    CAPTURE(bad);
    CHECK(pbxd::CheckRelativeName(bad, "file").code() == absl::StatusCode::kInvalidArgument);
  }
  CHECK(pbxd::CheckRelativeName(std::string(1025, 'a'), "file").code() ==
        absl::StatusCode::kInvalidArgument);
  for (const char* good : {"x.wav", "menu/welcome.wav", "a b.wav", "..x.wav", "x..wav"}) {
    CAPTURE(good);
    CHECK(pbxd::CheckRelativeName(good, "file").ok());
  }
}

TEST_CASE("existingFile finds files inside, refuses escapes and says what is missing") {
  TempTree t;
  MediaDirectory dir = t.open(MediaDirectory::Access::kRead);
  fs::create_directories(t.root / "menu");
  TempTree::Write(t.root / "welcome.wav");
  TempTree::Write(t.root / "menu" / "one.wav");

  auto welcome = dir.existingFile("welcome.wav");
  REQUIRE(welcome.ok());
  CHECK(*welcome == (fs::path(dir.path()) / "welcome.wav").string());
  CHECK(dir.existingFile("menu/one.wav").ok());

  CHECK(CodeOf(dir.existingFile("missing.wav")) == absl::StatusCode::kNotFound);
  CHECK(CodeOf(dir.existingFile("nodir/x.wav")) == absl::StatusCode::kNotFound);
  CHECK(CodeOf(dir.existingFile("menu")) == absl::StatusCode::kInvalidArgument);
  CHECK(CodeOf(dir.existingFile("../outside/secret.wav")) == absl::StatusCode::kInvalidArgument);
  const std::string absolute = (t.base / "outside" / "secret.wav").string();
  CHECK(CodeOf(dir.existingFile(absolute)) == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("existingFile follows links that stay inside and refuses links that lead out") {
  TempTree t;
  MediaDirectory dir = t.open(MediaDirectory::Access::kRead);
  TempTree::Write(t.root / "real.wav");
  fs::create_symlink(t.root / "real.wav", t.root / "alias.wav");
  fs::create_symlink(t.base / "outside" / "secret.wav", t.root / "leak.wav");
  fs::create_directory_symlink(t.base / "outside", t.root / "elsewhere");
  fs::create_symlink("../outside/secret.wav", t.root / "relative-leak.wav");

  auto alias = dir.existingFile("alias.wav");
  REQUIRE(alias.ok());
  CHECK(*alias == (fs::path(dir.path()) / "real.wav").string());
  for (const char* out : {"leak.wav", "elsewhere/secret.wav", "relative-leak.wav"}) {
    CAPTURE(out);
    auto result = dir.existingFile(out);
    CHECK(CodeOf(result) == absl::StatusCode::kInvalidArgument);
    CHECK(std::string(result.status().message()).find("leads out") != std::string::npos);
  }
}

TEST_CASE("a directory that is itself a link is resolved once, and names inside it work") {
  TempTree t;
  fs::create_directories(t.base / "real-root");
  fs::create_directory_symlink(t.base / "real-root", t.root);
  TempTree::Write(t.base / "real-root" / "x.wav");
  MediaDirectory dir = t.open();
  CHECK(dir.path() == fs::canonical(t.base / "real-root").string());
  CHECK(dir.existingFile("x.wav").ok());
  CHECK(dir.newFile("y.wav", ".wav").ok());
}

TEST_CASE("newFile names a file to create inside, in an existing directory") {
  TempTree t;
  MediaDirectory dir = t.open();
  fs::create_directories(t.root / "support");

  auto path = dir.newFile("call.wav", ".wav");
  REQUIRE(path.ok());
  CHECK(*path == (fs::path(dir.path()) / "call.wav").string());
  auto nested = dir.newFile("support/C1F.WAV", ".wav");
  REQUIRE(nested.ok());
  CHECK(*nested == (fs::path(dir.path()) / "support" / "C1F.WAV").string());
  TempTree::Write(t.root / "again.wav");
  CHECK(dir.newFile("again.wav", ".wav").ok());  // an existing regular file is replaced

  CHECK(CodeOf(dir.newFile("nodir/x.wav", ".wav")) == absl::StatusCode::kNotFound);
  CHECK(CodeOf(dir.newFile("x.mp3", ".wav")) == absl::StatusCode::kInvalidArgument);
  CHECK(CodeOf(dir.newFile(".wav", ".wav")) == absl::StatusCode::kInvalidArgument);
  CHECK(CodeOf(dir.newFile("support", "")) == absl::StatusCode::kInvalidArgument);
  CHECK(CodeOf(dir.newFile("../x.wav", ".wav")) == absl::StatusCode::kInvalidArgument);
  CHECK(CodeOf(dir.newFile("/tmp/x.wav", ".wav")) == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("newFile refuses to write through links, or into a linked directory outside") {
  TempTree t;
  MediaDirectory dir = t.open();
  TempTree::Write(t.root / "inside.wav");
  fs::create_symlink(t.root / "inside.wav", t.root / "alias.wav");
  fs::create_symlink(t.base / "outside" / "secret.wav", t.root / "leak.wav");
  fs::create_symlink(t.base / "outside" / "new.wav", t.root / "dangling.wav");
  fs::create_directory_symlink(t.base / "outside", t.root / "elsewhere");

  for (const char* bad : {"alias.wav", "leak.wav", "dangling.wav", "elsewhere/x.wav"}) {
    CAPTURE(bad);
    CHECK(CodeOf(dir.newFile(bad, ".wav")) == absl::StatusCode::kInvalidArgument);
  }
  CHECK_FALSE(fs::exists(t.base / "outside" / "new.wav"));
}

TEST_CASE("CheckReadableFiles names the setting, the index and the file") {
  TempTree t;
  TempTree::Write(t.base / "ok.wav");
  const std::string ok = (t.base / "ok.wav").string();
  const std::string missing = (t.base / "missing.wav").string();
  CHECK(pbxd::CheckReadableFiles({ok}, "media.music_on_hold").ok());
  CHECK(pbxd::CheckReadableFiles({}, "media.music_on_hold").ok());
  absl::Status s = pbxd::CheckReadableFiles({ok, missing}, "media.music_on_hold");
  REQUIRE_FALSE(s.ok());
  CHECK(std::string(s.message()) ==
        "media.music_on_hold[1]: " + missing + ": No such file or directory");
  CHECK_FALSE(pbxd::CheckReadableFiles({t.base.string()}, "media.music_on_hold").ok());
}
