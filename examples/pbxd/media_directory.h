// MediaDirectory: one of the directories pbxd lets REST clients name files in (the `media:`
// section's prompts_dir and recordings_dir, docs/pbxd.md). A client gives a name relative to
// the directory ("menu/welcome.wav"); the directory turns it into a path for the call API, and
// refuses every name that would reach a file outside it: absolute names, ".." segments, and
// symbolic links (of the name or of a directory on its way) that lead out.
//
// The lexical rules give a clear message before the file system is asked; the check that
// counts is on the resolved path (realpath), so a link planted inside the directory cannot
// take a name out of it. The directory itself is resolved once, at Open(). Whoever can write
// into the directory (it should be pbxd alone) can still swap a link in between the check and
// the call API's open: the directories must not be writable by untrusted local users.
//
//   auto prompts = pbxd::MediaDirectory::Open("/var/lib/pbxd/prompts", "media.prompts_dir",
//                                              MediaDirectory::Access::kRead);
//   if (!prompts.ok()) return prompts.status();               // cannot create, not a directory
//   absl::StatusOr<std::string> path = prompts->existingFile("menu/welcome.wav");
//   // InvalidArgument: escapes the directory; NotFound: no such file
//
// Thread-safety: a value type; its const methods from any thread (they only read the file
// system).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace pbxd {

class MediaDirectory {
 public:
  enum class Access { kRead, kWrite };

  // Creates `path` (with its parents) when it is missing and resolves it. Fails with a message
  // that names `setting` when it cannot be created, is not a directory, or lacks `access`.
  static absl::StatusOr<MediaDirectory> Open(const std::string& path, std::string_view setting,
                                             Access access);

  // The directory's resolved absolute path.
  const std::string& path() const { return path_; }

  // The resolved path of the existing regular file `name`: InvalidArgument for a name that is
  // malformed, escapes the directory or is not a regular file; NotFound when there is no such
  // file; PermissionDenied when pbxd cannot read it.
  absl::StatusOr<std::string> existingFile(std::string_view name) const;
  // The path to create (or replace) the file `name` at: its directory must exist inside this
  // one. InvalidArgument for a malformed or escaping name, a name that is a symbolic link or
  // not a regular file already, or one that does not end in `suffix` (when not empty);
  // NotFound when its directory does not exist.
  absl::StatusOr<std::string> newFile(std::string_view name, std::string_view suffix = "") const;

 private:
  explicit MediaDirectory(std::string path) : path_(std::move(path)) {}

  // Whether the resolved `resolved` is this directory's path or below it.
  bool contains(const std::string& resolved) const;

  std::string path_;
};

// InvalidArgument unless `name` is a relative file name that stays inside its directory by
// its letters alone: 1 to 1024 bytes, no control characters, not absolute, no empty, "." or
// ".." segment, not ending in '/'. `what` names it in the message ("file").
absl::Status CheckRelativeName(std::string_view name, std::string_view what);

// OK when every one of `paths` is a regular file pbxd can read; else which is not, and why,
// naming `setting` ("media.music_on_hold").
absl::Status CheckReadableFiles(const std::vector<std::string>& paths, std::string_view setting);

}  // namespace pbxd
