#include "lib/fax/mail/gmime_support.h"

#include <mutex>

namespace pbx::fax::internal {

void EnsureGMimeInitialized() {
  // GMime keeps its global tables for the life of the process; it is never shut down
  // because another component of the host program may use it too.
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

std::string TakeGString(char* text) {
  GCharPtr owned(text);
  return text == nullptr ? std::string() : std::string(text);
}

}  // namespace pbx::fax::internal
