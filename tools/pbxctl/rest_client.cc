#include "tools/pbxctl/rest_client.h"

#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "examples/pbxd/rest/rest_auth.h"
#include "tools/pbxctl/exit_codes.h"

namespace pbxctl {
namespace {

constexpr time_t kConnectTimeoutSeconds = 5;
// Longer than pbxd's 5 s wait for the PBX, so that its 504 arrives rather than our timeout
// (RestClient::setReadTimeout() for the requests that wait longer).
constexpr time_t kReadTimeoutSeconds = 15;
// A stream sends a keep-alive comment every 15 s: four missed ones mean it is gone.
constexpr time_t kStreamReadTimeoutSeconds = 60;

RestReply Failure(int exitCode, std::string error, int status = 0) {
  RestReply reply;
  reply.exitCode = exitCode;
  reply.status = status;
  reply.error = std::move(error);
  return reply;
}

int ExitCodeForStatus(int status) {
  if (status == 401 || status == 403) return kExitAuth;
  if (status == 404 || status == 410) return kExitNotFound;
  return kExitError;
}

// The reply for an answer with `status` and `body`.
RestReply FromAnswer(int status, const std::string& body) {
  RestReply reply;
  reply.status = status;
  reply.body = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (reply.body.is_discarded()) reply.body = nullptr;
  if (status >= 200 && status < 300) return reply;
  reply.exitCode = ExitCodeForStatus(status);
  std::string message = absl::StrCat("HTTP ", status);
  if (reply.body.is_object() && reply.body["error"].is_string())
    absl::StrAppend(&message, ": ", reply.body["error"].get<std::string>());
  reply.error = message;
  return reply;
}

std::string Encode(const std::string& text, const char* keep) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
        (c != 0 && std::strchr(keep, c) != nullptr)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

std::unique_ptr<httplib::Client> MakeClient(const std::string& url, time_t readTimeout) {
  auto client = std::make_unique<httplib::Client>(url);
  client->set_url_encode(false);  // paths are encoded by EncodePathSegment()
  client->set_connection_timeout(kConnectTimeoutSeconds, 0);
  client->set_read_timeout(readTimeout, 0);
  client->set_write_timeout(kReadTimeoutSeconds, 0);
  return client;
}

RestReply Unreachable(const std::string& url, httplib::Error error) {
  return Failure(kExitConnection,
                 absl::StrCat("cannot reach pbxd at ", url, ": ", httplib::to_string(error)));
}

}  // namespace

ConnectionOptions ConnectionOptions::FromEnvironment() {
  ConnectionOptions options;
  const std::pair<const char*, std::string*> variables[] = {{"PBXCTL_URL", &options.url},
                                                            {"PBXCTL_USER", &options.user},
                                                            {"PBXCTL_PASSWORD", &options.password},
                                                            {"PBXCTL_DOMAIN", &options.domain}};
  for (const auto& [name, field] : variables)
    if (const char* value = std::getenv(name); value != nullptr && *value != '\0') *field = value;
  return options;
}

bool ConnectionOptions::take(const std::vector<std::string>& args, size_t* i, std::string* error) {
  const std::pair<const char*, std::string*> options[] = {
      {"--url", &url}, {"--user", &user}, {"--password", &password}, {"--domain", &domain}};
  for (const auto& [name, field] : options) {
    if (args[*i] != name) continue;
    if (*i + 1 >= args.size()) {
      *error = absl::StrCat(name, " needs a value");
    } else {
      *field = args[++*i];
    }
    return true;
  }
  return false;
}

int RestReply::fail() const {
  std::fprintf(stderr, "pbxctl: %s\n", error.c_str());
  return exitCode;
}

std::string EncodePathSegment(const std::string& text) { return Encode(text, ":@!$&'()*+,;="); }

std::string EncodeQueryValue(const std::string& text) { return Encode(text, ""); }

RestReply RestClient::check() const {
  if (options_.password.empty())
    return Failure(kExitUsage, "no password: give --password or set PBXCTL_PASSWORD");
  if (!absl::StartsWith(options_.url, "http://"))
    return Failure(kExitUsage, "--url must be http://HOST:PORT, not '" + options_.url + "'");
  std::string rest = options_.url.substr(7);
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.empty() || rest.find('/') != std::string::npos)
    return Failure(kExitUsage, "--url must be http://HOST:PORT, not '" + options_.url + "'");
  return {};
}

RestReply RestClient::salt() {
  if (salt_) return {};
  auto client = MakeClient(options_.url, kReadTimeoutSeconds);
  auto result = client->Get("/rest/salt/" + EncodePathSegment(options_.domain));
  if (!result) return Unreachable(options_.url, result.error());
  RestReply reply = FromAnswer(result->status, result->body);
  if (result->status == 404)
    return Failure(kExitAuth, "pbxd has no domain '" + options_.domain + "' (--domain)", 404);
  if (!reply.ok()) return reply;
  if (!reply.body.is_object() || !reply.body["salt"].is_string())
    return Failure(kExitError, "pbxd's salt answer has no salt", result->status);
  salt_ = reply.body["salt"].get<std::string>();
  return {};
}

RestReply RestClient::authenticate(std::string* header) {
  if (RestReply r = check(); !r.ok()) return r;
  if (RestReply r = salt(); !r.ok()) return r;
  auto nonce = pbxd::rest::MakeNonce();
  if (!nonce.ok()) return Failure(kExitError, std::string(nonce.status().message()));
  *header = pbxd::rest::AuthenticateHeader(
      options_.user, options_.password, options_.domain, *salt_, *nonce,
      pbxd::rest::FormatCreated(std::chrono::system_clock::now()));
  return {};
}

RestReply RestClient::call(const std::string& method, const std::string& path,
                           const std::string& body) {
  std::string header;
  if (RestReply r = authenticate(&header); !r.ok()) return r;
  auto client = MakeClient(options_.url, readTimeoutSeconds_);
  httplib::Headers headers = {{"X-authenticate", header}, {"Accept", "application/json"}};
  httplib::Result result = method == "GET" ? client->Get(path, headers)
                           : method == "POST"
                               ? client->Post(path, headers, body, "application/json")
                               : client->Delete(path, headers, body, "application/json");
  if (!result) return Unreachable(options_.url, result.error());
  return FromAnswer(result->status, result->body);
}

RestReply RestClient::stream(const std::string& path, std::optional<uint64_t> lastEventId,
                             const std::function<bool(const StreamEvent& event)>& onEvent) {
  for (;;) {
    std::string header;
    if (RestReply r = authenticate(&header); !r.ok()) return r;
    auto client = MakeClient(options_.url, kStreamReadTimeoutSeconds);
    httplib::Headers headers = {{"X-authenticate", header}, {"Accept", "text/event-stream"}};
    if (lastEventId) headers.emplace("Last-Event-ID", std::to_string(*lastEventId));
    int status = 0;
    bool stopped = false;
    std::string buffer, errorBody;
    auto result = client->Get(
        path, headers,
        [&](const httplib::Response& response) {
          status = response.status;
          return true;
        },
        [&](const char* data, size_t size) {
          if (status != 200) {
            errorBody.append(data, size);
            return errorBody.size() < 65536;
          }
          buffer.append(data, size);
          for (size_t end; (end = buffer.find("\n\n")) != std::string::npos;) {
            std::string block = buffer.substr(0, end);
            buffer.erase(0, end + 2);
            StreamEvent event;
            bool hasId = false;
            size_t start = 0;
            while (start <= block.size()) {
              size_t newline = block.find('\n', start);
              std::string line = block.substr(
                  start, newline == std::string::npos ? std::string::npos : newline - start);
              if (absl::StartsWith(line, "id: ")) {
                hasId = absl::SimpleAtoi(line.substr(4), &event.id);
              } else if (absl::StartsWith(line, "event: ")) {
                event.name = line.substr(7);
              } else if (absl::StartsWith(line, "data: ")) {
                event.data = nlohmann::json::parse(line.substr(6), nullptr, false);
              }
              if (newline == std::string::npos) break;
              start = newline + 1;
            }
            if (!hasId) continue;  // a comment or retry:
            lastEventId = event.id;
            if (!onEvent(event)) {
              stopped = true;
              return false;
            }
          }
          return true;
        });
    if (stopped) return {};
    if (status != 0 && status != 200) return FromAnswer(status, errorBody);
    if (status == 0) return Unreachable(options_.url, result.error());
    // The stream was up and pbxd ended it: resume where it stopped. If pbxd went away, the
    // next attempt fails to connect and says so.
  }
}

}  // namespace pbxctl
