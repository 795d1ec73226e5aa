// DirectoryIndex: the extensions and accounts of a Directory, indexed for lookups by digest
// username and by dialled number.
//
// Thread-safety: a value; the controller replaces it whole on reload.
#pragma once

#include <string>
#include <unordered_map>

#include "absl/status/status.h"
#include "pbx/options.h"

namespace pbx::call {

class DirectoryIndex {
 public:
  DirectoryIndex() = default;
  // Fails on duplicate numbers or usernames, or empty ones.
  static absl::StatusOr<DirectoryIndex> Build(const Directory& directory);

  const Account* account(const std::string& username) const;
  // The extension number an account belongs to, or nullptr.
  const Extension* extensionOfAccount(const std::string& username) const;
  const Extension* extension(const std::string& number) const;

 private:
  Directory directory_;
  std::unordered_map<std::string, std::pair<size_t, size_t>> accounts_;  // -> (ext, account)
  std::unordered_map<std::string, size_t> extensions_;
};

}  // namespace pbx::call
