#include "lib/sip/sofia/request_line.h"

#include <sofia-sip/msg.h>
#include <sofia-sip/sip_hclasses.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/su_alloc.h>

#include <cstring>
#include <mutex>
#include <string>
#include <vector>

namespace pbx::sip::internal {
namespace {

struct msg_hclass_s g_requestClass;  // msg_hclass_t is a const typedef

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

// "METHOD <uri with spaces> SIP/2.0" -> "METHOD <uri without spaces> SIP/2.0", or "" when
// the line does not even have a method, a URI and a version.
std::string Squeeze(const std::string& line) {
  std::vector<std::string> tokens;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && IsSpace(line[i])) ++i;
    size_t start = i;
    while (i < line.size() && !IsSpace(line[i])) ++i;
    if (i > start) tokens.push_back(line.substr(start, i - start));
  }
  if (tokens.size() < 3 || tokens.back().rfind("SIP/", 0) != 0) return {};
  std::string uri;
  for (size_t t = 1; t + 1 < tokens.size(); ++t) uri += tokens[t];
  return tokens.front() + " " + uri + " " + tokens.back();
}

issize_t ParseRequestLine(su_home_t* home, msg_header_t* h, char* s, isize_t slen) {
  std::string original(s, static_cast<size_t>(slen));
  if (sip_request_class->hc_parse(home, h, s, slen) >= 0) return 0;
  std::string squeezed = Squeeze(original);
  if (squeezed.empty() || squeezed == original) return -1;
  char* copy = su_strdup(home, squeezed.c_str());
  if (copy == nullptr) return -1;
  if (sip_request_class->hc_parse(home, h, copy, static_cast<isize_t>(squeezed.size())) < 0)
    return -1;
  // The message is its own home (msg_home() is a cast): flag it so nta answers 400.
  msg_set_flags(reinterpret_cast<msg_t*>(home), MSG_FLG_ERROR);
  return 0;
}

}  // namespace

msg_mclass_t const* RequestLineCheckingMclass() {
  static msg_mclass_t* mclass = nullptr;
  static std::once_flag once;
  std::call_once(once, [] {
    mclass = msg_mclass_clone(sip_default_mclass(), 0, 0);
    if (mclass == nullptr) return;
    std::memcpy(&g_requestClass, sip_request_class, sizeof g_requestClass);
    g_requestClass.hc_parse = &ParseRequestLine;
    mclass->mc_request->hr_class = &g_requestClass;
  });
  return mclass ? mclass : sip_default_mclass();
}

}  // namespace pbx::sip::internal
