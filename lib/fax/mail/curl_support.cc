#include "lib/fax/mail/curl_support.h"

#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/base/log.h"

namespace pbx::fax::internal {
namespace {

size_t AppendTo(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

// Server responses at trace level; what we send is not logged because it holds credentials.
int TraceCurl(CURL*, curl_infotype type, char* data, size_t size, void* user) {
  if (type == CURLINFO_TEXT || type == CURLINFO_HEADER_IN) {
    absl::string_view line = absl::StripTrailingAsciiWhitespace(absl::string_view(data, size));
    PBX_LOG(kTrace, "mail", *static_cast<std::string*>(user), "{}",
            std::string_view(line.data(), line.size()));
  }
  return 0;
}

void EnsureCurlInitialized() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

std::string ImapQuote(absl::string_view text) {
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') quoted += '\\';
    if (c != '\r' && c != '\n') quoted += c;
  }
  return quoted + "\"";
}

absl::StatusOr<std::unique_ptr<CurlSession>> CurlSession::Open(const MailServer& server,
                                                               const MailProtocol& protocol) {
  if (server.host.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(protocol.name, ": no server host configured"));
  }
  if (server.host.find_first_of("/?#@ \r\n") != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(protocol.name, ": invalid server host \"", server.host, "\""));
  }
  EnsureCurlInitialized();
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return absl::ResourceExhaustedError("curl_easy_init failed");
  std::unique_ptr<CurlSession> session(new CurlSession(curl, server, protocol));
  return session;
}

CurlSession::CurlSession(CURL* curl, const MailServer& server, const MailProtocol& protocol)
    : curl_(curl), protocol_(protocol), username_(server.username) {
  bool implicit = server.tls == MailTls::kImplicit;
  uint16_t port =
      server.port != 0 ? server.port : (implicit ? protocol.tls_port : protocol.plain_port);
  std::string host = server.host.find(':') != std::string::npos
                         ? absl::StrCat("[", server.host, "]")
                         : server.host;
  where_ = absl::StrCat(protocol.name, " ", host, ":", port);
  base_url_ =
      absl::StrCat(implicit ? protocol.tls_scheme : protocol.plain_scheme, "://", host, ":", port);

  curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, error_buffer_);
  curl_easy_setopt(curl_, CURLOPT_PROTOCOLS_STR,
                   absl::StrCat(protocol.plain_scheme, ",", protocol.tls_scheme).c_str());
  curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(server.timeout.count()));
  curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, static_cast<long>(server.timeout.count()));
  curl_easy_setopt(curl_, CURLOPT_USE_SSL,
                   server.tls == MailTls::kStartTls ? static_cast<long>(CURLUSESSL_ALL)
                                                    : static_cast<long>(CURLUSESSL_NONE));
  curl_easy_setopt(curl_, CURLOPT_SSL_VERIFYPEER, server.verifyPeer ? 1L : 0L);
  curl_easy_setopt(curl_, CURLOPT_SSL_VERIFYHOST, server.verifyPeer ? 2L : 0L);
  if (!server.caFile.empty()) curl_easy_setopt(curl_, CURLOPT_CAINFO, server.caFile.c_str());
  if (!server.username.empty()) {
    curl_easy_setopt(curl_, CURLOPT_USERNAME, server.username.c_str());
    curl_easy_setopt(curl_, CURLOPT_PASSWORD, server.password.c_str());
  }
  // IMAP literals arrive as response lines; allow long lines in messages.
  curl_easy_setopt(curl_, CURLOPT_BUFFERSIZE, static_cast<long>(CURL_MAX_READ_SIZE));
  curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &AppendTo);
  curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &body_);
  curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, &AppendTo);
  curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &transcript_);
  if (LogEnabled(LogLevel::kTrace)) {
    curl_easy_setopt(curl_, CURLOPT_DEBUGFUNCTION, &TraceCurl);
    curl_easy_setopt(curl_, CURLOPT_DEBUGDATA, &where_);
    curl_easy_setopt(curl_, CURLOPT_VERBOSE, 1L);
  }
}

CurlSession::~CurlSession() { curl_easy_cleanup(curl_); }

void CurlSession::setCustomRequest(const std::string& command) {
  custom_request_ = command;
  curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST,
                   custom_request_.empty() ? nullptr : custom_request_.c_str());
}

std::string CurlSession::escapePath(absl::string_view segment) {
  char* escaped = curl_easy_escape(curl_, segment.data(), static_cast<int>(segment.size()));
  std::string result = escaped == nullptr ? "" : escaped;
  curl_free(escaped);
  return result;
}

absl::Status CurlSession::perform(absl::string_view path, absl::string_view step) {
  body_.clear();
  transcript_.clear();
  error_buffer_[0] = '\0';
  std::string url = absl::StrCat(base_url_, path);
  curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
  CURLcode code = curl_easy_perform(curl_);
  if (code != CURLE_OK) return errorFor(code, step);
  return absl::OkStatus();
}

std::string CurlSession::lastServerLine() const {
  absl::string_view text = absl::StripTrailingAsciiWhitespace(transcript_);
  size_t start = text.rfind('\n');
  return std::string(start == absl::string_view::npos ? text : text.substr(start + 1));
}

absl::Status CurlSession::errorFor(CURLcode code, absl::string_view step) const {
  std::string detail = error_buffer_[0] != '\0' ? error_buffer_ : curl_easy_strerror(code);
  std::string server_said = lastServerLine();
  std::string message = absl::StrCat(where_, ": ", step, " failed: ", detail);
  if (!server_said.empty()) absl::StrAppend(&message, " (server: \"", server_said, "\")");
  switch (code) {
    case CURLE_COULDNT_CONNECT:
      return absl::UnavailableError(absl::StrCat(
          where_, ": ", step, " failed: connection refused or unreachable (", detail, ")"));
    case CURLE_COULDNT_RESOLVE_HOST:
      return absl::UnavailableError(
          absl::StrCat(where_, ": ", step, " failed: cannot resolve host (", detail, ")"));
    case CURLE_LOGIN_DENIED:
      return absl::UnauthenticatedError(absl::StrCat(where_, ": authentication failed for user \"",
                                                     username_, "\" (", detail, ")"));
    case CURLE_OPERATION_TIMEDOUT:
      return absl::DeadlineExceededError(
          absl::StrCat(where_, ": ", step, " timed out (", detail, ")"));
    case CURLE_USE_SSL_FAILED:
      return absl::FailedPreconditionError(
          absl::StrCat(where_, ": STARTTLS required but not offered by the server (", detail, ")"));
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CACERT_BADFILE:
      return absl::UnavailableError(absl::StrCat(where_, ": TLS failed: ", detail));
    case CURLE_REMOTE_ACCESS_DENIED:
      return absl::NotFoundError(message);
    default:
      return absl::UnavailableError(message);
  }
}

}  // namespace pbx::fax::internal
