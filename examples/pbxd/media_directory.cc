#include "examples/pbxd/media_directory.h"

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace pbxd {
namespace {

constexpr size_t kMaxNameBytes = 1024;

// Debian's Abseil has a string_view of its own, which StrCat() takes.
absl::string_view View(std::string_view text) { return {text.data(), text.size()}; }

// The path with every link, "." and ".." resolved; nullopt (errno set) when it cannot be.
std::optional<std::string> Resolve(const std::string& path) {
  std::unique_ptr<char, decltype(&std::free)> resolved(realpath(path.c_str(), nullptr), &std::free);
  if (!resolved) return std::nullopt;
  return std::string(resolved.get());
}

bool IsMissing(int error) { return error == ENOENT || error == ENOTDIR; }

}  // namespace

absl::Status CheckRelativeName(std::string_view name, std::string_view what) {
  auto refuse = [&](std::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat(View(what), " '", View(name.substr(0, 200)), "': ", View(why)));
  };
  if (name.empty()) return absl::InvalidArgumentError(absl::StrCat(View(what), " is empty"));
  if (name.size() > kMaxNameBytes)
    return absl::InvalidArgumentError(
        absl::StrCat(View(what), " is longer than ", kMaxNameBytes, " bytes"));
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7F) return refuse("control characters are not allowed");
  if (name.front() == '/') return refuse("must be relative to the directory, not an absolute path");
  if (name.back() == '/') return refuse("names a directory, not a file");
  size_t start = 0;
  for (;;) {
    const size_t slash = name.find('/', start);
    std::string_view segment = name.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (segment == "..") return refuse("'..' would leave the directory");
    if (segment.empty() || segment == ".")
      return refuse("empty and '.' path segments are not allowed");
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return absl::OkStatus();
}

absl::StatusOr<MediaDirectory> MediaDirectory::Open(const std::string& path,
                                                    std::string_view setting, Access access) {
  if (path.empty()) return absl::InvalidArgumentError(absl::StrCat(View(setting), " is empty"));
  std::error_code error;
  if (std::filesystem::exists(path, error) && !std::filesystem::is_directory(path, error))
    return absl::FailedPreconditionError(
        absl::StrCat(View(setting), ": ", path, " is not a directory"));
  std::filesystem::create_directories(path, error);
  if (error)
    return absl::FailedPreconditionError(
        absl::StrCat(View(setting), ": cannot create ", path, ": ", error.message()));
  std::optional<std::string> resolved = Resolve(path);
  if (!resolved)
    return absl::FailedPreconditionError(
        absl::StrCat(View(setting), ": cannot resolve ", path, ": ", std::strerror(errno)));
  struct stat info {};
  if (stat(resolved->c_str(), &info) != 0 || !S_ISDIR(info.st_mode))
    return absl::FailedPreconditionError(
        absl::StrCat(View(setting), ": ", path, " is not a directory"));
  const int mode = R_OK | X_OK | (access == Access::kWrite ? W_OK : 0);
  if (::access(resolved->c_str(), mode) != 0)
    return absl::FailedPreconditionError(absl::StrCat(
        View(setting), ": pbxd may not ", access == Access::kWrite ? "write to " : "read ",
        *resolved, ": ", std::strerror(errno)));
  return MediaDirectory(*std::move(resolved));
}

bool MediaDirectory::contains(const std::string& resolved) const {
  if (path_ == "/") return true;
  return resolved == path_ || (absl::StartsWith(resolved, path_) &&
                               resolved.size() > path_.size() && resolved[path_.size()] == '/');
}

absl::StatusOr<std::string> MediaDirectory::existingFile(std::string_view name) const {
  if (auto s = CheckRelativeName(name, "file"); !s.ok()) return s;
  const std::string quoted = absl::StrCat("file '", View(name), "'");
  std::optional<std::string> resolved = Resolve(absl::StrCat(path_, "/", View(name)));
  if (!resolved) {
    if (IsMissing(errno)) return absl::NotFoundError(absl::StrCat("no ", quoted));
    return absl::InvalidArgumentError(absl::StrCat(quoted, ": ", std::strerror(errno)));
  }
  if (!contains(*resolved))
    return absl::InvalidArgumentError(absl::StrCat(quoted, " leads out of the directory"));
  struct stat info {};
  if (stat(resolved->c_str(), &info) != 0 || !S_ISREG(info.st_mode))
    return absl::InvalidArgumentError(absl::StrCat(quoted, " is not a regular file"));
  if (::access(resolved->c_str(), R_OK) != 0)
    return absl::PermissionDeniedError(absl::StrCat("pbxd may not read ", quoted));
  return *resolved;
}

absl::StatusOr<std::string> MediaDirectory::newFile(std::string_view name,
                                                    std::string_view suffix) const {
  if (auto s = CheckRelativeName(name, "file"); !s.ok()) return s;
  const std::string quoted = absl::StrCat("file '", View(name), "'");
  if (!suffix.empty() &&
      (name.size() <= suffix.size() || !absl::EndsWithIgnoreCase(View(name), View(suffix))))
    return absl::InvalidArgumentError(absl::StrCat(quoted, " must end in ", View(suffix)));
  const size_t slash = name.rfind('/');
  const std::string_view parent =
      slash == std::string_view::npos ? std::string_view() : name.substr(0, slash);
  const std::string_view leaf = slash == std::string_view::npos ? name : name.substr(slash + 1);
  std::optional<std::string> directory =
      Resolve(parent.empty() ? path_ : absl::StrCat(path_, "/", View(parent)));
  if (!directory) {
    if (IsMissing(errno))
      return absl::NotFoundError(absl::StrCat("no directory '", View(parent), "' for ", quoted));
    return absl::InvalidArgumentError(absl::StrCat(quoted, ": ", std::strerror(errno)));
  }
  if (!contains(*directory))
    return absl::InvalidArgumentError(absl::StrCat(quoted, " leads out of the directory"));
  std::string target = absl::StrCat(*directory, "/", View(leaf));
  struct stat info {};
  if (lstat(target.c_str(), &info) == 0) {
    if (S_ISLNK(info.st_mode))
      return absl::InvalidArgumentError(
          absl::StrCat(quoted, " is a symbolic link: pbxd does not write through links"));
    if (!S_ISREG(info.st_mode))
      return absl::InvalidArgumentError(absl::StrCat(quoted, " is not a regular file"));
  }
  return target;
}

absl::Status CheckReadableFiles(const std::vector<std::string>& paths, std::string_view setting) {
  for (size_t i = 0; i < paths.size(); ++i) {
    const std::string& path = paths[i];
    struct stat info {};
    std::string why;
    if (stat(path.c_str(), &info) != 0) {
      why = std::strerror(errno);
    } else if (!S_ISREG(info.st_mode)) {
      why = "not a regular file";
    } else if (::access(path.c_str(), R_OK) != 0) {
      why = std::strerror(errno);
    } else {
      continue;
    }
    return absl::FailedPreconditionError(
        absl::StrCat(View(setting), "[", i, "]: ", path, ": ", why));
  }
  return absl::OkStatus();
}

}  // namespace pbxd
