// Mailbox over IMAP (libcurl custom commands). Messages are read with BODY.PEEK[] so that
// fetching never changes them; only markProcessed() does.
#include <algorithm>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/base/log.h"
#include "lib/fax/mail/curl_support.h"
#include "lib/fax/mail/mailboxes.h"
#include "pbx/base/status.h"

namespace pbx::fax::internal {
namespace {

// The UIDs of "* SEARCH 3 7 12" lines, ascending.
std::vector<uint64_t> ParseSearch(absl::string_view response) {
  std::vector<uint64_t> uids;
  for (absl::string_view line : absl::StrSplit(response, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (!absl::StartsWithIgnoreCase(line, "* SEARCH")) continue;
    for (absl::string_view word : absl::StrSplit(line.substr(8), ' ', absl::SkipEmpty())) {
      uint64_t uid;
      if (absl::SimpleAtoi(word, &uid)) uids.push_back(uid);
    }
  }
  std::sort(uids.begin(), uids.end());
  return uids;
}

// The n of "* OK [UIDVALIDITY n]" from the SELECT that opened the folder; 0 if absent.
uint64_t ParseUidValidity(absl::string_view transcript) {
  size_t at = transcript.find("[UIDVALIDITY ");
  if (at == absl::string_view::npos) return 0;
  absl::string_view rest = transcript.substr(at + 13);
  uint64_t validity = 0;
  if (!absl::SimpleAtoi(rest.substr(0, rest.find(']')), &validity)) return 0;
  return validity;
}

// Ids are "<UIDVALIDITY>.<UID>": a UID means nothing once the folder was recreated.
struct MessageId {
  uint64_t validity = 0;
  uint64_t uid = 0;
};

std::optional<MessageId> ParseMessageId(absl::string_view id) {
  std::pair<absl::string_view, absl::string_view> parts =
      absl::StrSplit(id, absl::MaxSplits('.', 1));
  MessageId parsed;
  if (!absl::SimpleAtoi(parts.first, &parsed.validity) ||
      !absl::SimpleAtoi(parts.second, &parsed.uid) || parsed.uid == 0) {
    return std::nullopt;
  }
  return parsed;
}

// The literal of "* 4 FETCH (UID 9 BODY[] {1234}\r\n<1234 bytes>)" in the server transcript.
absl::StatusOr<std::string> ParseFetchLiteral(absl::string_view transcript) {
  size_t body = transcript.find("BODY[]");
  if (body == absl::string_view::npos) {
    return absl::NotFoundError("the server returned no message body");
  }
  size_t open = transcript.find('{', body);
  size_t close = transcript.find('}', body);
  size_t line_end = transcript.find('\n', body);
  uint64_t size = 0;
  if (open == absl::string_view::npos || close == absl::string_view::npos || close < open ||
      close > line_end || !absl::SimpleAtoi(transcript.substr(open + 1, close - open - 1), &size)) {
    return absl::DataLossError("malformed FETCH response (no literal size)");
  }
  size_t start = line_end + 1;
  if (transcript.size() - start < size) {
    return absl::DataLossError(absl::StrCat("FETCH literal truncated: ", size, " bytes announced, ",
                                            transcript.size() - start, " received"));
  }
  return std::string(transcript.substr(start, size));
}

class ImapMailbox final : public Mailbox {
 public:
  explicit ImapMailbox(MailboxOptions options) : options_(std::move(options)) {}

  absl::StatusOr<std::vector<FetchedMail>> fetchUnprocessed() override {
    PBX_ASSIGN_OR_RETURN(auto session, CurlSession::Open(options_.server, kImap));
    PBX_ASSIGN_OR_RETURN(std::vector<uint64_t> uids, search(*session));
    uint64_t validity = ParseUidValidity(session->transcript());
    if (options_.maxMessagesPerPoll != 0 && uids.size() > options_.maxMessagesPerPoll) {
      uids.resize(options_.maxMessagesPerPoll);
    }
    std::vector<FetchedMail> mails;
    for (uint64_t uid : uids) {
      session->setCustomRequest(absl::StrCat("UID FETCH ", uid, " (BODY.PEEK[])"));
      absl::Status status = session->perform(folderPath(*session), "fetching a message");
      absl::StatusOr<std::string> raw =
          status.ok() ? ParseFetchLiteral(session->transcript()) : status;
      if (!raw.ok()) {
        // A message that vanished meanwhile (another client expunged it) is skipped; a
        // connection failure ends this poll, returning what was fetched so far.
        PBX_LOG(kWarning, "mail", "", "IMAP UID {}: {}", uid, raw.status().ToString());
        if (absl::IsNotFound(raw.status())) continue;
        if (absl::IsDataLoss(raw.status())) {
          // The response could not be framed (e.g. a body line that looks like the end of
          // the command). Hand it out as unreadable so that it can be rejected and marked
          // processed instead of blocking the mailbox; the connection is not reused.
          FetchedMail unreadable;
          unreadable.id = absl::StrCat(validity, ".", uid);
          unreadable.message = raw.status();
          mails.push_back(std::move(unreadable));
          break;
        }
        if (mails.empty()) return raw.status();
        break;
      }
      mails.push_back(MakeFetchedMail(absl::StrCat(validity, ".", uid), *raw));
    }
    return mails;
  }

  absl::Status markProcessed(absl::string_view id) override {
    std::optional<MessageId> parsed = ParseMessageId(id);
    if (!parsed) {
      return absl::InvalidArgumentError(absl::StrCat("IMAP: invalid message id \"", id, "\""));
    }
    uint64_t uid = parsed->uid;
    PBX_ASSIGN_OR_RETURN(auto session, CurlSession::Open(options_.server, kImap));
    PBX_RETURN_IF_ERROR(run(*session, absl::StrCat("UID SEARCH UID ", uid), "looking up"));
    uint64_t validity = ParseUidValidity(session->transcript());
    if (validity != parsed->validity) {
      return absl::NotFoundError(absl::StrCat("IMAP: ", options_.folder,
                                              " was recreated since message ", id,
                                              " was fetched (UIDVALIDITY ", validity, ")"));
    }
    if (ParseSearch(session->body()).empty()) {
      return absl::NotFoundError(
          absl::StrCat("IMAP: message ", uid, " is no longer in ", options_.folder));
    }
    switch (options_.processedAction) {
      case ProcessedAction::kMarkSeen:
        return run(*session, absl::StrCat("UID STORE ", uid, " +FLAGS.SILENT (\\Seen)"),
                   "setting \\Seen");
      case ProcessedAction::kDelete:
        return deleteMessage(*session, uid);
      case ProcessedAction::kMoveToFolder:
        return moveMessage(*session, uid);
    }
    return absl::InternalError("IMAP: unknown processed action");
  }

 private:
  std::string folderPath(CurlSession& session) const {
    return absl::StrCat("/", session.escapePath(options_.folder));
  }

  absl::Status run(CurlSession& session, const std::string& command, absl::string_view step) {
    session.setCustomRequest(command);
    return session.perform(folderPath(session), step);
  }

  absl::StatusOr<std::vector<uint64_t>> search(CurlSession& session) {
    // With kMarkSeen the \Seen flag is the processed marker; otherwise processed messages
    // leave the folder, so everything still in it is pending, read by a person or not.
    const char* query = options_.processedAction == ProcessedAction::kMarkSeen
                            ? "UID SEARCH UNSEEN UNDELETED"
                            : "UID SEARCH UNDELETED";
    PBX_RETURN_IF_ERROR(run(session, query, "searching for new messages"));
    return ParseSearch(session.body());
  }

  absl::Status deleteMessage(CurlSession& session, uint64_t uid) {
    PBX_RETURN_IF_ERROR(run(session, absl::StrCat("UID STORE ", uid, " +FLAGS.SILENT (\\Deleted)"),
                            "setting \\Deleted"));
    // UID EXPUNGE (RFC 4315) removes only this message; plain EXPUNGE is the fallback.
    if (run(session, absl::StrCat("UID EXPUNGE ", uid), "expunging").ok()) {
      return absl::OkStatus();
    }
    return run(session, "EXPUNGE", "expunging");
  }

  absl::Status moveMessage(CurlSession& session, uint64_t uid) {
    std::string folder = ImapQuote(options_.processedFolder);
    absl::Status moved = run(session, absl::StrCat("UID MOVE ", uid, " ", folder), "moving");
    if (!moved.ok() && absl::StrContains(session.transcript(), "TRYCREATE")) {
      PBX_RETURN_IF_ERROR(run(session, absl::StrCat("CREATE ", folder), "creating the folder"));
      moved = run(session, absl::StrCat("UID MOVE ", uid, " ", folder), "moving");
    }
    if (moved.ok()) return moved;
    // Servers without MOVE (RFC 6851): copy, then delete the original.
    absl::Status copied = run(session, absl::StrCat("UID COPY ", uid, " ", folder), "copying");
    if (!copied.ok()) {
      return absl::FailedPreconditionError(absl::StrCat("IMAP: cannot move message ", uid, " to ",
                                                        options_.processedFolder, ": ",
                                                        moved.message()));
    }
    return deleteMessage(session, uid);
  }

  const MailboxOptions options_;
};

}  // namespace

MailboxPtr NewImapMailbox(MailboxOptions options) {
  return std::make_unique<ImapMailbox>(std::move(options));
}

}  // namespace pbx::fax::internal
