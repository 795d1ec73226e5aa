// NgClient: the few commands of rtpengine's ng control protocol that the media-relay bench needs
// to set calls up on an rtpengine it started: ping, offer, answer and delete.
//
// The ng protocol is a bencoded dictionary per UDP datagram, prefixed with a cookie and a space;
// the reply carries the same cookie. Each call here sends one request and waits for its reply
// (retrying a lost datagram), which is plenty for setting up a few thousand calls.
//
//   auto ng = NgClient::Create(*SocketAddress::Parse("127.0.0.1", 2223));
//   auto calleeSdp = (*ng)->offer("call-1", "tag-a", callerSdp);        // rtpengine's SDP for B
//   auto callerSdp2 = (*ng)->answer("call-1", "tag-a", "tag-b", calleeSdp2);
//   (*ng)->deleteCall("call-1", "tag-a");
//
// Thread-safety: one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "pbx/base/socket_address.h"

namespace pbx::bench {

class NgClient {
 public:
  static absl::StatusOr<std::unique_ptr<NgClient>> Create(const SocketAddress& server);
  ~NgClient();
  NgClient(const NgClient&) = delete;
  NgClient& operator=(const NgClient&) = delete;

  absl::Status ping();
  // Each returns the SDP rtpengine rewrote: what to send on to the other party.
  absl::StatusOr<std::string> offer(std::string_view callId, std::string_view fromTag,
                                    std::string_view sdp);
  absl::StatusOr<std::string> answer(std::string_view callId, std::string_view fromTag,
                                     std::string_view toTag, std::string_view sdp);
  absl::Status deleteCall(std::string_view callId, std::string_view fromTag);

 private:
  using Fields = std::vector<std::pair<std::string, std::string>>;
  explicit NgClient(int fd) : fd_(fd) {}
  // Sends `request` (string values only) and returns the reply's top-level string values,
  // or an error when the reply's "result" is not "ok"/"pong".
  absl::StatusOr<Fields> call(const Fields& request);

  int fd_;
  unsigned cookie_ = 0;
};

// The bencoded form of a dictionary of strings, keys sorted as bencode requires.
std::string BencodeDictionary(std::vector<std::pair<std::string, std::string>> fields);
// The top-level string values of a bencoded dictionary (integers, lists and nested
// dictionaries are skipped); an error when `text` is not a well-formed dictionary.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ParseBencodeDictionary(
    std::string_view text);

}  // namespace pbx::bench
