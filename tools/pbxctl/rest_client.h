// RestClient: pbxctl's side of pbxd's REST API (docs/rest-api.md). It fetches the domain's
// salt once, signs every request with a fresh X-authenticate header (the client side of
// examples/pbxd/rest/rest_auth.h), and turns each outcome into pbxctl's exit codes
// (exit_codes.h).
//
// Where to connect and as whom: --url, --user, --password and --domain on the command line,
// else the environment's PBXCTL_URL, PBXCTL_USER, PBXCTL_PASSWORD and PBXCTL_DOMAIN, else
// http://127.0.0.1:8080, admin and default; the password has no default.
//
//   pbxctl::ConnectionOptions connection = pbxctl::ConnectionOptions::FromEnvironment();
//   ... connection.take(args, &i, &error) for each option ...
//   pbxctl::RestClient client(connection);
//   pbxctl::RestReply reply = client.call("GET", "/rest/phoneServices/activeCalls");
//   if (!reply.ok()) return reply.fail();        // the message on stderr, the exit code
//
// Thread-safety: single-threaded CLI.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <ctime>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pbxctl {

struct ConnectionOptions {
  std::string url = "http://127.0.0.1:8080";
  std::string user = "admin";
  std::string password;
  std::string domain = "default";

  // The defaults, overridden by PBXCTL_URL, PBXCTL_USER, PBXCTL_PASSWORD, PBXCTL_DOMAIN.
  static ConnectionOptions FromEnvironment();
  // Takes `--url VALUE` (or --user, --password, --domain) at args[*i], moving *i past it.
  // False when args[*i] is none of them; `error` says what is wrong with one that is.
  bool take(const std::vector<std::string>& args, size_t* i, std::string* error);
};

// The outcome of a request.
struct RestReply {
  int exitCode = 0;     // kExitOk, or why it failed
  int status = 0;       // the HTTP status, 0 without one
  std::string error;    // what failed, for stderr
  nlohmann::json body;  // the JSON of the answer (of an error too, when it had one)

  bool ok() const { return exitCode == 0; }
  // Prints "pbxctl: <error>" on stderr and returns the exit code.
  int fail() const;
};

// `text` percent-encoded for one path segment (everything but unreserved characters and
// ":@!$&'()*+,;=").
std::string EncodePathSegment(const std::string& text);
// `text` percent-encoded for a query value.
std::string EncodeQueryValue(const std::string& text);

class RestClient {
 public:
  explicit RestClient(ConnectionOptions options) : options_(std::move(options)) {}

  // How long call() waits for an answer (default 15 s: longer than pbxd's own 5 s bound on an
  // operation); a long poll such as a digit collection needs more.
  void setReadTimeout(time_t seconds) { readTimeoutSeconds_ = seconds; }
  // A signed request; `body`, if not empty, is sent as application/json.
  RestReply call(const std::string& method, const std::string& path, const std::string& body = "");

  // One server-sent event of a stream.
  struct StreamEvent {
    uint64_t id = 0;
    std::string name;
    nlohmann::json data;
  };
  // Follows GET `path` (a /rest/events URL) and calls `onEvent` for each event until it
  // returns false (then ok). When pbxd ends the stream (a client that fell behind, ...), it
  // reconnects once at once with Last-Event-ID and carries on; when that fails too, it
  // returns the failure (pbxd went away: kExitConnection).
  RestReply stream(const std::string& path, std::optional<uint64_t> lastEventId,
                   const std::function<bool(const StreamEvent& event)>& onEvent);

 private:
  // The salt of our domain, fetched at the first request.
  RestReply salt();
  // The X-authenticate value for a new request, or the failure to make one.
  RestReply authenticate(std::string* header);
  RestReply check() const;  // the options can be used: a password, an http:// URL

  ConnectionOptions options_;
  std::optional<std::string> salt_;
  time_t readTimeoutSeconds_ = 15;
};

}  // namespace pbxctl
