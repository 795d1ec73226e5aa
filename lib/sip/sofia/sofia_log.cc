#include "lib/sip/sofia/sofia_log.h"

#include <sofia-sip/su_log.h>

#include <cstdarg>
#include <cstdio>
#include <mutex>
#include <string>

#include "pbx/base/logging.h"

namespace pbx::sip::internal {
namespace {

// sofia writes a line in several calls; collect until the newline, per thread.
thread_local std::string t_pending;

void OnSofiaLog(void*, char const* format, va_list ap) {
  char buf[1024];
  int n = vsnprintf(buf, sizeof buf, format, ap);
  if (n <= 0) return;
  t_pending.append(buf, std::min<size_t>(static_cast<size_t>(n), sizeof buf - 1));
  size_t nl;
  while ((nl = t_pending.find('\n')) != std::string::npos) {
    std::string line = t_pending.substr(0, nl);
    t_pending.erase(0, nl + 1);
    if (!line.empty()) Log(LogLevel::kDebug, "sofia", "", line);
  }
  if (t_pending.size() > 8192) {
    Log(LogLevel::kDebug, "sofia", "", t_pending);
    t_pending.clear();
  }
}

}  // namespace

void RedirectSofiaLogs() {
  static std::once_flag once;
  std::call_once(once, [] { su_log_redirect(nullptr, &OnSofiaLog, nullptr); });
}

}  // namespace pbx::sip::internal
