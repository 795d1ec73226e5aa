// Mailbox over POP3 (libcurl). POP3 has no flags: every message in the maildrop is
// unprocessed, ids are UIDL values, and markProcessed() deletes (DELE, committed at QUIT).
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/base/log.h"
#include "lib/fax/mail/curl_support.h"
#include "lib/fax/mail/mailboxes.h"
#include "pbx/base/status.h"

namespace pbx::fax::internal {
namespace {

struct UidlEntry {
  uint64_t number;  // message number, valid for this session only
  std::string uid;  // stable
};

// "1 000000017b3c2d4e\r\n2 ..." (curl strips the status line and the final ".").
std::vector<UidlEntry> ParseUidl(absl::string_view listing) {
  std::vector<UidlEntry> entries;
  for (absl::string_view line : absl::StrSplit(listing, '\n', absl::SkipWhitespace())) {
    std::vector<absl::string_view> words =
        absl::StrSplit(absl::StripAsciiWhitespace(line), ' ', absl::SkipEmpty());
    uint64_t number;
    if (words.size() == 2 && absl::SimpleAtoi(words[0], &number)) {
      entries.push_back({number, std::string(words[1])});
    }
  }
  return entries;
}

class Pop3Mailbox final : public Mailbox {
 public:
  explicit Pop3Mailbox(MailboxOptions options) : options_(std::move(options)) {}

  absl::StatusOr<std::vector<FetchedMail>> fetchUnprocessed() override {
    PBX_ASSIGN_OR_RETURN(auto session, CurlSession::Open(options_.server, kPop3));
    PBX_ASSIGN_OR_RETURN(std::vector<UidlEntry> entries, uidl(*session));
    if (options_.maxMessagesPerPoll != 0 && entries.size() > options_.maxMessagesPerPoll) {
      entries.resize(options_.maxMessagesPerPoll);
    }
    std::vector<FetchedMail> mails;
    session->setCustomRequest("");
    for (const UidlEntry& entry : entries) {
      absl::Status status =
          session->perform(absl::StrCat("/", entry.number), "retrieving a message");
      if (!status.ok()) {
        PBX_LOG(kWarning, "mail", "", "POP3 message {}: {}", entry.uid, status.ToString());
        if (mails.empty()) return status;
        break;
      }
      mails.push_back(MakeFetchedMail(entry.uid, session->body()));
    }
    return mails;
  }

  absl::Status markProcessed(absl::string_view id) override {
    PBX_ASSIGN_OR_RETURN(auto session, CurlSession::Open(options_.server, kPop3));
    PBX_ASSIGN_OR_RETURN(std::vector<UidlEntry> entries, uidl(*session));
    for (const UidlEntry& entry : entries) {
      if (entry.uid != id) continue;
      session->setCustomRequest("DELE");
      curl_easy_setopt(session->handle(), CURLOPT_NOBODY, 1L);
      PBX_RETURN_IF_ERROR(session->perform(absl::StrCat("/", entry.number), "deleting"));
      // The deletion is committed by QUIT, which curl sends when the session is closed.
      return absl::OkStatus();
    }
    return absl::NotFoundError(absl::StrCat("POP3: message ", id, " is no longer in the maildrop"));
  }

 private:
  absl::StatusOr<std::vector<UidlEntry>> uidl(CurlSession& session) {
    session.setCustomRequest("UIDL");
    PBX_RETURN_IF_ERROR(session.perform("/", "listing messages (UIDL)"));
    return ParseUidl(session.body());
  }

  const MailboxOptions options_;
};

}  // namespace

MailboxPtr NewPop3Mailbox(MailboxOptions options) {
  return std::make_unique<Pop3Mailbox>(std::move(options));
}

}  // namespace pbx::fax::internal
