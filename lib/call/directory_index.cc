#include "lib/call/directory_index.h"

#include "absl/strings/str_cat.h"

namespace pbx::call {

absl::StatusOr<DirectoryIndex> DirectoryIndex::Build(const Directory& directory) {
  DirectoryIndex index;
  index.directory_ = directory;
  const auto& exts = index.directory_.extensions;
  for (size_t e = 0; e < exts.size(); ++e) {
    if (exts[e].number.empty()) return absl::InvalidArgumentError("an extension has no number");
    if (!index.extensions_.emplace(exts[e].number, e).second)
      return absl::InvalidArgumentError(
          absl::StrCat("extension ", exts[e].number, " is defined twice"));
    for (size_t a = 0; a < exts[e].accounts.size(); ++a) {
      const Account& account = exts[e].accounts[a];
      if (account.username.empty())
        return absl::InvalidArgumentError(
            absl::StrCat("extension ", exts[e].number, " has an account without a username"));
      if (!index.accounts_.emplace(account.username, std::make_pair(e, a)).second)
        return absl::InvalidArgumentError(
            absl::StrCat("account ", account.username, " is defined twice"));
    }
  }
  return index;
}

const Account* DirectoryIndex::account(const std::string& username) const {
  auto it = accounts_.find(username);
  if (it == accounts_.end()) return nullptr;
  return &directory_.extensions[it->second.first].accounts[it->second.second];
}

const Extension* DirectoryIndex::extensionOfAccount(const std::string& username) const {
  auto it = accounts_.find(username);
  return it == accounts_.end() ? nullptr : &directory_.extensions[it->second.first];
}

const Extension* DirectoryIndex::extension(const std::string& number) const {
  auto it = extensions_.find(number);
  return it == extensions_.end() ? nullptr : &directory_.extensions[it->second];
}

}  // namespace pbx::call
