// UdpScreen: stateless answers to new INVITEs at sofia-sip's UDP socket, before nua sees them.
//
// Every new INVITE that carries no credentials gets a 407 (or, under overload, a 503). Through
// nua, each such answer costs a handle, an event each way and an INVITE server transaction
// that nta keeps after the ACK; at a couple of thousand calls a second that round is a fifth
// of the signaling thread's work per call, and the whole of what a flood of refused INVITEs
// costs. Answered from the datagram (lib/sip/common/stateless_reply.h) it is a scan and a
// send, and the ACK that answers it is recognised by its To tag and dropped.
//
// sofia-sip 1.12.11 has no hook between its UDP socket and nta: its transport opens, binds and
// reads the socket itself. It reads every datagram through su_vrecv(), though, which it calls
// through its PLT, so the su_vrecv defined in udp_screen.cc (in libpbxkit, which a program's
// search order puts before libsofia) takes its place. That su_vrecv reads as sofia's own does;
// for a socket a UdpScreen is attached to, it first shows the datagram to the screen, and a
// datagram the screen answered or absorbed is reported to sofia as nothing to read (EAGAIN),
// which sofia's transport takes as a spurious wakeup.
//
// sofia asks su_getmsgsize() for the size of the next datagram before it reads it (an
// ioctl(FIONREAD) a datagram), and libpbxkit defines that one too: for a screened socket it
// reads the datagram there, in the one recvmsg(), shows it to the screen, and keeps the first
// the screen lets through for the su_vrecv() that follows, which copies it out. What the
// screen answers never becomes a sofia message; when nothing is left for sofia it reports a
// size of 1, and su_vrecv then reports EAGAIN. Where the definitions do not take
// sofia's place (Active() is false), every datagram goes to sofia as before, and call control
// answers the same requests through nua.
//
// Thread-safety: a UdpScreen is made, used and destroyed on the signaling thread of the stack
// that owns the socket (sofia reads the socket on that thread). The registry of attached
// sockets is locked.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pbx/sip/signaling_stack.h"

namespace pbx::sip::internal {

class UdpScreen {
 public:
  // What to answer to a new INVITE without credentials from `source`: a rejection to send at
  // once, or nullopt to let it through to nua.
  using Decide = std::function<std::optional<Rejection>(const RequestSource& source)>;

  // Attaches to UDP socket `fd`. `extraHeaders` (complete lines) go into every response, e.g.
  // "User-Agent: pbxkit\r\n".
  UdpScreen(int fd, Decide decide, std::string extraHeaders);
  ~UdpScreen();  // detaches
  UdpScreen(const UdpScreen&) = delete;
  UdpScreen& operator=(const UdpScreen&) = delete;

  // Whether sofia-sip reads its datagrams through pbxkit's su_vrecv in this process.
  static bool Active();

  // One datagram received on the socket: true when it was answered or absorbed here (sofia
  // must not see it). Called by su_vrecv.
  bool consume(std::string_view datagram, const sockaddr* from, socklen_t fromLength);

  // For su_getmsgsize: reads datagrams, each shown to consume(), until one is for sofia, and
  // keeps it; returns its size, 1 when there is none for now (at most kScreenedPerRead are
  // answered a call, so that the loop gets its turn), or -1 and errno on a socket error.
  ssize_t readNext();
  // For su_vrecv: what readNext() left, copied into `iov` with its source address: its size,
  // or -1 and EAGAIN where it found nothing; nullopt when readNext() has not run since.
  std::optional<ssize_t> takeKept(const iovec* iov, size_t iovCount, sockaddr* from,
                                  socklen_t* fromLength);

  uint64_t answered() const { return answered_; }  // responses sent
  uint64_t absorbed() const { return absorbed_; }  // ACKs to them dropped

 private:
  int fd_;
  Decide decide_;
  std::string extraHeaders_;
  static constexpr int kScreenedPerRead = 16;
  enum class Kept { kNone, kDatagram, kNothing };
  Kept kept_ = Kept::kNone;
  static constexpr size_t kBufferSize = 65536;  // any UDP payload fits
  std::vector<char> buffer_;                    // the datagram readNext() read
  size_t keptSize_ = 0;
  sockaddr_storage keptFrom_{};
  socklen_t keptFromLength_ = 0;
  uint64_t answered_ = 0;
  uint64_t absorbed_ = 0;
};

}  // namespace pbx::sip::internal
