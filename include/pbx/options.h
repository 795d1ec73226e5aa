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
  // tools/bench/sip-cps measured ~2000 calls/s as the edge on a 2-core machine with the
  // limit lifted, and a collapse into retransmissions above it (docs/benchmarks.md); the
  // default keeps a quarter of that in reserve for answering the excess with 503s.
  uint32_t maxCallSetupsPerSecond = 1500;
  // INVITE transactions awaiting a final response, both legs counted. At 1500 calls/s a
  // healthy pbxd has a few dozen; hundreds mean a backlog that only grows.
  uint32_t maxPendingTransactions = 500;
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
