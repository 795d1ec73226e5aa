// Options: everything pbx::Pbx::Create() needs, as plain values. pbxd fills them from YAML;
// programs that embed pbxkit fill them in code.
//
//   pbx::Options options;
//   options.sip.listen = {"udp:127.0.0.1:5060"};
//   options.sip.domain = "127.0.0.1";
//   options.directory.extensions.push_back({"100", {{"100", "secret"}}});
//
// Thread-safety: value types.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "pbx/media/media_engine.h"

namespace pbx {

struct Account {
  std::string username;  // SIP digest username (and the user part of its address of record)
  std::string password;
};

// A number that rings: every registered account of the extension rings in parallel.
struct Extension {
  std::string number;
  std::vector<Account> accounts;
  std::string displayName;
};

struct Directory {
  std::vector<Extension> extensions;
};

struct RegistrationOptions {
  std::chrono::seconds minExpires{60};    // shorter requests are raised to this
  std::chrono::seconds maxExpires{3600};  // longer requests are lowered to this
  std::chrono::seconds defaultExpires{3600};
};

struct OverloadOptions {
  // New calls admitted per second; beyond it new INVITEs get 503 + Retry-After.
  // The defaults come from what tools/bench/sip-cps measured (docs/benchmarks.md).
  uint32_t maxCallSetupsPerSecond = 1000;
  // INVITE transactions awaiting a final response, both legs counted.
  uint32_t maxPendingTransactions = 4000;
  std::chrono::seconds retryAfter{5};
};

struct SipOptions {
  std::vector<std::string> listen{"udp:127.0.0.1:5060", "tcp:127.0.0.1:5060"};
  std::string domain = "127.0.0.1";  // digest realm and host part of our URIs
  std::string userAgent = "pbxkit";
  RegistrationOptions registration;
  std::chrono::seconds noAnswerTimeout{30};
  OverloadOptions overload;
};

struct MediaOptions {
  media::MediaEngineOptions engine;
  // An answered call whose relay saw no RTP in either direction for this long is ended.
  // Zero disables the check.
  std::chrono::seconds rtpTimeout{60};
};

struct Options {
  SipOptions sip;
  MediaOptions media;
  Directory directory;
};

}  // namespace pbx
