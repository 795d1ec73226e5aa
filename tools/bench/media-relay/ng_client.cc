#include "tools/bench/media-relay/ng_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace pbx::bench {
namespace {

constexpr int kReplyTimeoutMs = 1000;
constexpr int kAttempts = 3;

// Skips one bencoded value at `text[*at]`; false when it is malformed.
bool SkipValue(std::string_view text, size_t* at, std::string_view* string, int depth = 0) {
  if (*at >= text.size() || depth > 16) return false;
  const char type = text[*at];
  if (type == 'i') {
    const size_t end = text.find('e', *at);
    if (end == std::string_view::npos) return false;
    *at = end + 1;
    return true;
  }
  if (type == 'l' || type == 'd') {
    ++*at;
    while (*at < text.size() && text[*at] != 'e') {
      std::string_view ignored;
      if (!SkipValue(text, at, &ignored, depth + 1)) return false;
    }
    if (*at >= text.size()) return false;
    ++*at;
    return true;
  }
  size_t length = 0;
  size_t i = *at;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    length = length * 10 + static_cast<size_t>(text[i] - '0');
    if (length > text.size()) return false;
  }
  if (i == *at || i >= text.size() || text[i] != ':' || text.size() - i - 1 < length) return false;
  if (string != nullptr) *string = text.substr(i + 1, length);
  *at = i + 1 + length;
  return true;
}

std::string Bencode(const std::string& text) { return absl::StrCat(text.size(), ":", text); }

}  // namespace

std::string BencodeDictionary(std::vector<std::pair<std::string, std::string>> fields) {
  std::sort(fields.begin(), fields.end());
  std::string out = "d";
  for (const auto& [key, value] : fields) absl::StrAppend(&out, Bencode(key), Bencode(value));
  out += 'e';
  return out;
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ParseBencodeDictionary(
    std::string_view text) {
  std::vector<std::pair<std::string, std::string>> fields;
  if (text.empty() || text[0] != 'd') return absl::InvalidArgumentError("not a dictionary");
  size_t at = 1;
  while (at < text.size() && text[at] != 'e') {
    std::string_view key;
    std::string_view value;
    if (text[at] < '0' || text[at] > '9' || !SkipValue(text, &at, &key)) {
      return absl::InvalidArgumentError("malformed key");
    }
    const bool isString = at < text.size() && text[at] >= '0' && text[at] <= '9';
    if (!SkipValue(text, &at, &value)) return absl::InvalidArgumentError("malformed value");
    if (isString) fields.emplace_back(key, value);
  }
  if (at + 1 != text.size()) return absl::InvalidArgumentError("unterminated dictionary");
  return fields;
}

absl::StatusOr<std::unique_ptr<NgClient>> NgClient::Create(const SocketAddress& server) {
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError("socket() failed");
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(server.port());
  inet_pton(AF_INET, server.ip().c_str(), &to.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
    close(fd);
    return absl::InternalError("connect() to the ng port failed");
  }
  return std::unique_ptr<NgClient>(new NgClient(fd));
}

NgClient::~NgClient() { close(fd_); }

absl::StatusOr<NgClient::Fields> NgClient::call(const Fields& request) {
  const std::string cookie = absl::StrCat("b", ++cookie_);
  const std::string datagram = absl::StrCat(cookie, " ", BencodeDictionary(request));
  static thread_local char reply[65536];
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    if (send(fd_, datagram.data(), datagram.size(), 0) < 0) {
      return absl::UnavailableError("send to the ng port failed");
    }
    pollfd readable{fd_, POLLIN, 0};
    while (poll(&readable, 1, kReplyTimeoutMs) == 1) {
      const ssize_t n = recv(fd_, reply, sizeof reply, 0);
      if (n < 0) return absl::UnavailableError("ng port unreachable");
      const std::string_view text(reply, static_cast<size_t>(n));
      // A late reply to an earlier attempt of an earlier request: not ours.
      if (text.substr(0, cookie.size() + 1) != cookie + " ") continue;
      auto fields = ParseBencodeDictionary(text.substr(cookie.size() + 1));
      if (!fields.ok()) return fields.status();
      std::string result, reason;
      for (const auto& [key, value] : *fields) {
        if (key == "result") result = value;
        if (key == "error-reason") reason = value;
      }
      if (result != "ok" && result != "pong") {
        return absl::FailedPreconditionError(absl::StrCat("ng ", result, ": ", reason));
      }
      return *fields;
    }
  }
  return absl::DeadlineExceededError("no reply on the ng port");
}

absl::Status NgClient::ping() { return call({{"command", "ping"}}).status(); }

namespace {
absl::StatusOr<std::string> SdpOf(
    absl::StatusOr<std::vector<std::pair<std::string, std::string>>> reply) {
  if (!reply.ok()) return reply.status();
  for (const auto& [key, value] : *reply) {
    if (key == "sdp") return value;
  }
  return absl::FailedPreconditionError("ng reply without sdp");
}
}  // namespace

absl::StatusOr<std::string> NgClient::offer(std::string_view callId, std::string_view fromTag,
                                            std::string_view sdp) {
  return SdpOf(call({{"command", "offer"},
                     {"call-id", std::string(callId)},
                     {"from-tag", std::string(fromTag)},
                     {"sdp", std::string(sdp)}}));
}

absl::StatusOr<std::string> NgClient::answer(std::string_view callId, std::string_view fromTag,
                                             std::string_view toTag, std::string_view sdp) {
  return SdpOf(call({{"command", "answer"},
                     {"call-id", std::string(callId)},
                     {"from-tag", std::string(fromTag)},
                     {"to-tag", std::string(toTag)},
                     {"sdp", std::string(sdp)}}));
}

absl::Status NgClient::deleteCall(std::string_view callId, std::string_view fromTag) {
  return call({{"command", "delete"},
               {"call-id", std::string(callId)},
               {"from-tag", std::string(fromTag)}})
      .status();
}

}  // namespace pbx::bench
