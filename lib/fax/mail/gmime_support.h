// GMime plumbing for lib/fax/mail: one-time library initialisation and an owning pointer
// for GObjects. Internal: only lib/fax/mail includes gmime.
//
//   internal::EnsureGMimeInitialized();
//   internal::GObjectPtr<GMimeMessage> message(g_mime_message_new(TRUE));
//
// Thread-safety: EnsureGMimeInitialized() may be called from any thread; GMime objects
// must not be shared between threads.
#pragma once

#include <gmime/gmime.h>

#include <memory>
#include <string>

namespace pbx::fax::internal {

void EnsureGMimeInitialized();

struct GObjectUnref {
  void operator()(void* object) const {
    if (object != nullptr) g_object_unref(object);
  }
};
template <typename T>
using GObjectPtr = std::unique_ptr<T, GObjectUnref>;

struct GFree {
  void operator()(void* p) const { g_free(p); }
};
using GCharPtr = std::unique_ptr<char, GFree>;

// Copies a g_malloc'ed string and frees it; nullptr becomes "".
std::string TakeGString(char* text);

}  // namespace pbx::fax::internal
