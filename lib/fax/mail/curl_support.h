// libcurl plumbing for the SMTP sender and the IMAP/POP3 mailboxes: one CurlSession is one
// connection (kept across perform() calls), configured from a MailServer, with curl errors
// turned into absl::Status messages that name the server and the step that failed.
// Internal: only lib/fax/mail includes curl.
//
//   PBX_ASSIGN_OR_RETURN(auto session, internal::CurlSession::Open(server, internal::kImap));
//   session->setCustomRequest("UID SEARCH UNSEEN");
//   PBX_RETURN_IF_ERROR(session->perform("/INBOX", "search unseen"));
//   Parse(session->body());
//
// Thread-safety: a session belongs to one thread at a time.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pbx/fax/mail_transport.h"

namespace pbx::fax::internal {

struct MailProtocol {
  const char* name;          // "SMTP", for messages
  const char* plain_scheme;  // "smtp"
  const char* tls_scheme;    // "smtps"
  uint16_t plain_port;
  uint16_t tls_port;
};
inline constexpr MailProtocol kSmtp{"SMTP", "smtp", "smtps", 587, 465};
inline constexpr MailProtocol kImap{"IMAP", "imap", "imaps", 143, 993};
inline constexpr MailProtocol kPop3{"POP3", "pop3", "pop3s", 110, 995};

class CurlSession {
 public:
  static absl::StatusOr<std::unique_ptr<CurlSession>> Open(const MailServer& server,
                                                           const MailProtocol& protocol);
  ~CurlSession();
  CurlSession(const CurlSession&) = delete;
  CurlSession& operator=(const CurlSession&) = delete;

  CURL* handle() { return curl_; }
  // "imap://127.0.0.1:1143" (no trailing slash).
  const std::string& baseUrl() const { return base_url_; }
  // The command to send instead of the protocol's default; empty restores the default.
  void setCustomRequest(const std::string& command);
  // Runs one transfer on `base_url_ + path`. `step` names what was attempted, for errors.
  absl::Status perform(absl::string_view path, absl::string_view step);

  // Data of the last perform(): the body callback's bytes, and every response line the
  // server sent (curl hands these to the header callback), CRLFs included.
  const std::string& body() const { return body_; }
  const std::string& transcript() const { return transcript_; }

  // Escapes one URL path segment (mailbox names).
  std::string escapePath(absl::string_view segment);

 private:
  CurlSession(CURL* curl, const MailServer& server, const MailProtocol& protocol);
  absl::Status errorFor(CURLcode code, absl::string_view step) const;
  std::string lastServerLine() const;

  CURL* curl_;
  const MailProtocol& protocol_;
  std::string where_;  // "IMAP 127.0.0.1:1143"
  std::string username_;
  std::string base_url_;
  std::string custom_request_;
  std::string body_;
  std::string transcript_;
  char error_buffer_[CURL_ERROR_SIZE] = {};
};

// Quotes an IMAP astring: "INBOX.Processed" -> "\"INBOX.Processed\"".
std::string ImapQuote(absl::string_view text);

}  // namespace pbx::fax::internal
