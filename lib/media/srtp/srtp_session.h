// One SRTP session for one media stream (RFC 3711): protects what we send with our key and
// unprotects what we receive with the peer's, for RTP and RTCP, in place. Wraps libsrtp2,
// whose types stay in srtp_session.cc.
//
//   auto rx = agreed.remote.DecodeKeySalt(), tx = agreed.local.DecodeKeySalt();
//   auto session = SrtpSession::Create(agreed.local.suite, *tx, *rx);
//   // sending: the buffer needs kMaxOverhead spare bytes after the packet
//   if (session.value()->protect(buffer, size, sizeof(buffer))) socket.send(buffer, size);
//   // receiving: false means drop it (bad tag, replay, garbage); it has been counted
//   if (session.value()->unprotect(packet, size)) Deliver(packet, size);
//
// Keys are shared by every SSRC in a direction (libsrtp's ssrc_any_inbound/outbound), as SDES
// keys a stream, not a source. Sending the same RTP packet again (a retransmission) is allowed.
//
// Thread-safety: protect*() from one thread and unprotect*() from one thread (each direction
// has its own libsrtp context); stats() from any thread. Create() may run on any thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/media/srtp/sdes.h"

struct srtp_ctx_t_;

namespace pbx::media::internal {

class SrtpSession {
 public:
  // Spare bytes protect() and protectRtcp() need after the packet (tag, SRTCP index).
  static constexpr size_t kMaxOverhead = 20;
  // Larger input is refused without reaching libsrtp (no UDP datagram is this large).
  static constexpr size_t kMaxPacketSize = 65535;

  struct Options {
    // Replay window in packets (libsrtp allows 64..32768); an offer's WSH may raise it.
    uint32_t windowSize = 128;
  };

  struct Stats {
    uint64_t rtpProtected = 0;
    uint64_t rtcpProtected = 0;
    uint64_t protectFailures = 0;  // no room, oversized, or refused by libsrtp
    uint64_t rtpUnprotected = 0;
    uint64_t rtcpUnprotected = 0;
    uint64_t authFailures = 0;    // tag did not verify: tampered, wrong key, or garbage
    uint64_t replayFailures = 0;  // already seen, or older than the replay window
    uint64_t malformed = 0;       // too short, not version 2, or otherwise refused
  };

  // `txKeySalt` and `rxKeySalt` are raw key||salt bytes (KeySaltLength(suite) each).
  static absl::StatusOr<std::unique_ptr<SrtpSession>> Create(SrtpSuite suite,
                                                             std::string_view txKeySalt,
                                                             std::string_view rxKeySalt,
                                                             Options options);
  static absl::StatusOr<std::unique_ptr<SrtpSession>> Create(SrtpSuite suite,
                                                             std::string_view txKeySalt,
                                                             std::string_view rxKeySalt) {
    return Create(suite, txKeySalt, rxKeySalt, Options{});
  }
  // From a finished SDES negotiation: our key sends, the peer's receives, its WSH is honoured.
  static absl::StatusOr<std::unique_ptr<SrtpSession>> Create(const CryptoNegotiation& agreed);

  // Whether this build of libsrtp2 can run `suite` (GCM needs a crypto backend): probed once
  // by creating a session with it.
  static bool SuiteAvailable(SrtpSuite suite);
  // The suites we can run, best first: AEAD_AES_256_GCM, AEAD_AES_128_GCM,
  // AES_CM_128_HMAC_SHA1_80, AES_CM_128_HMAC_SHA1_32.
  static std::vector<SrtpSuite> AvailableSuites();

  ~SrtpSession();
  SrtpSession(const SrtpSession&) = delete;
  SrtpSession& operator=(const SrtpSession&) = delete;

  // In place: on success `size` grows by the tag (and SRTCP index). False leaves the packet
  // unsent-worthy: `capacity` short of size + kMaxOverhead, not RTP/RTCP, or libsrtp refused.
  bool protect(uint8_t* packet, size_t& size, size_t capacity);
  bool protectRtcp(uint8_t* packet, size_t& size, size_t capacity);
  // In place: on success `size` shrinks to the plain packet. False for anything that does not
  // authenticate or is a replay; any bytes of any length are safe to pass.
  bool unprotect(uint8_t* packet, size_t& size);
  bool unprotectRtcp(uint8_t* packet, size_t& size);

  SrtpSuite suite() const { return suite_; }
  Stats stats() const;

 private:
  using Context = srtp_ctx_t_*;
  SrtpSession(SrtpSuite suite, Context tx, Context rx);
  bool countUnprotectError(int status);

  const SrtpSuite suite_;
  Context tx_;
  Context rx_;
  // Relaxed atomics: written by the media thread, read by stats() from anywhere.
  std::atomic<uint64_t> rtpProtected_{0};
  std::atomic<uint64_t> rtcpProtected_{0};
  std::atomic<uint64_t> protectFailures_{0};
  std::atomic<uint64_t> rtpUnprotected_{0};
  std::atomic<uint64_t> rtcpUnprotected_{0};
  std::atomic<uint64_t> authFailures_{0};
  std::atomic<uint64_t> replayFailures_{0};
  std::atomic<uint64_t> malformed_{0};
};

}  // namespace pbx::media::internal
