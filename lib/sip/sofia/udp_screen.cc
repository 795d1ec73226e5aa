#include "lib/sip/sofia/udp_screen.h"

#include <dlfcn.h>
#include <netinet/in.h>
#include <sofia-sip/su.h>
#include <sys/ioctl.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "lib/sip/common/stateless_reply.h"
#include "lib/sip/sofia/socket_registry.h"
#include "lib/sip/sofia/udp_sender.h"

namespace pbx::sip::internal {
namespace {

// recvmsg() into `iov`, the source into `from` (its length in and out).
ssize_t ReceiveMessage(int fd, iovec* iov, size_t iovCount, int flags, void* from,
                       socklen_t* fromLength) {
  msghdr header{};
  header.msg_name = from;
  if (from != nullptr && fromLength != nullptr) header.msg_namelen = *fromLength;
  header.msg_iov = iov;
  header.msg_iovlen = iovCount;
  ssize_t n = recvmsg(fd, &header, flags);
  if (from != nullptr && fromLength != nullptr) *fromLength = header.msg_namelen;
  return n;
}

SocketRegistry<UdpScreen>& Screens() {
  static auto* registry = new SocketRegistry<UdpScreen>;  // never destroyed: sofia may read
  return *registry;                                       // during exit
}

}  // namespace

UdpScreen::UdpScreen(int fd, Decide decide, std::string extraHeaders)
    : fd_(fd),
      decide_(std::move(decide)),
      extraHeaders_(std::move(extraHeaders)),
      buffer_(kBufferSize) {
  Screens().attach(fd_, this);
}

UdpScreen::~UdpScreen() { Screens().detach(this); }

ssize_t UdpScreen::readNext() {
  if (kept_ == Kept::kDatagram) return static_cast<ssize_t>(keptSize_);
  for (int screened = 0; screened < kScreenedPerRead;) {
    iovec iov{buffer_.data(), buffer_.size()};
    keptFromLength_ = sizeof keptFrom_;
    ssize_t n = ReceiveMessage(fd_, &iov, 1, MSG_DONTWAIT, &keptFrom_, &keptFromLength_);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n < 0) return -1;
    if (n == 0) continue;  // sofia drops empty datagrams too
    std::string_view datagram(buffer_.data(), static_cast<size_t>(n));
    if (consume(datagram, reinterpret_cast<const sockaddr*>(&keptFrom_), keptFromLength_)) {
      ++screened;
      continue;
    }
    kept_ = Kept::kDatagram;
    keptSize_ = static_cast<size_t>(n);
    return n;
  }
  kept_ = Kept::kNothing;
  return 1;  // sofia reads a byte's worth with su_vrecv, which says EAGAIN
}

std::optional<ssize_t> UdpScreen::takeKept(const iovec* iov, size_t iovCount, sockaddr* from,
                                           socklen_t* fromLength) {
  Kept kept = std::exchange(kept_, Kept::kNone);
  if (kept == Kept::kNone) return std::nullopt;
  if (kept == Kept::kNothing) {
    errno = EAGAIN;
    return -1;
  }
  size_t copied = 0;
  for (size_t i = 0; i < iovCount && copied < keptSize_; ++i) {
    size_t part = std::min(iov[i].iov_len, keptSize_ - copied);
    std::memcpy(iov[i].iov_base, buffer_.data() + copied, part);
    copied += part;
  }
  if (from != nullptr && fromLength != nullptr) {
    std::memcpy(from, &keptFrom_, std::min<size_t>(*fromLength, keptFromLength_));
    *fromLength = keptFromLength_;
  }
  return static_cast<ssize_t>(copied);
}

bool UdpScreen::Active() {
  return dlsym(RTLD_DEFAULT, "su_vrecv") == reinterpret_cast<void*>(&::su_vrecv);
}

bool UdpScreen::consume(std::string_view datagram, const sockaddr* from, socklen_t fromLength) {
  // Only requests can be ours: a response starts "SIP/2.0".
  if (datagram.size() < 4 || (datagram[0] != 'I' && datagram[0] != 'A')) return false;
  // Cheap tests before the scan: most ACKs answer 200s, and an INVITE with credentials (as
  // phones spell the header) goes to nua. Spelt otherwise, the scan finds them.
  static const std::string kTagParam = ";tag=" + std::string(kStatelessTagPrefix);
  if (datagram[0] == 'A' && datagram.find(kTagParam) == std::string_view::npos) return false;
  if (datagram[0] == 'I' && datagram.find("\r\nProxy-Authorization:") != std::string_view::npos)
    return false;
  auto request = ScanRequest(datagram);
  if (!request) return false;
  if (request->method == "ACK") {
    if (!IsStatelessTag(request->toTag)) return false;
    ++absorbed_;
    return true;
  }
  if (!request->toTag.empty() || request->proxyAuthorization) return false;
  auto source = SocketAddress::FromSockaddr(from, fromLength);
  if (!source) return false;
  auto rejection = decide_(RequestSource{*source, Transport::kUdp});
  if (!rejection) return false;
  std::string headers;
  if (rejection->proxyChallenge)
    absl::StrAppend(&headers, "Proxy-Authenticate: ", rejection->proxyChallenge->headerValue(),
                    "\r\n");
  if (rejection->retryAfterSeconds)
    absl::StrAppend(&headers, "Retry-After: ", *rejection->retryAfterSeconds, "\r\n");
  headers += extraHeaders_;
  std::string response =
      StatelessResponse(*request, *source, rejection->status, rejection->reason, headers);
  // The destination is the source address, at the port StatelessResponseDestination picks.
  sockaddr_storage address{};
  std::memcpy(&address, from, std::min<size_t>(fromLength, sizeof address));
  uint16_t port = htons(StatelessResponseDestination(*request, *source).port());
  if (address.ss_family == AF_INET6)
    reinterpret_cast<sockaddr_in6*>(&address)->sin6_port = port;
  else
    reinterpret_cast<sockaddr_in*>(&address)->sin_port = port;
  // A response the kernel will not take is lost like any UDP datagram; the caller retransmits.
  iovec iov{response.data(), response.size()};
  SendDatagram(fd_, &iov, 1, MSG_NOSIGNAL | MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&address),
               fromLength);
  ++answered_;
  return true;
}

}  // namespace pbx::sip::internal

// Takes the place of libsofia's su_getmsgsize (see udp_screen.h): for a screened socket, the
// screen reads the next datagram for sofia; otherwise the ioctl sofia's own makes.
issize_t su_getmsgsize(su_socket_t s) {
  if (auto* screen = pbx::sip::internal::Screens().find(s)) return screen->readNext();
  int n = -1;
  if (ioctl(s, FIONREAD, &n) == -1) return -1;
  return n;
}

// Takes the place of libsofia's su_vrecv (see udp_screen.h): what su_getmsgsize kept, or the
// same recvmsg() as sofia's, the datagram then shown to the screen attached to the socket.
issize_t su_vrecv(su_socket_t s, su_iovec_t iov[], isize_t iovlen, int flags, su_sockaddr_t* su,
                  socklen_t* sulen) {
  pbx::sip::internal::UdpScreen* screen = pbx::sip::internal::Screens().find(s);
  if (screen != nullptr && iovlen >= 0) {
    if (auto kept = screen->takeKept(reinterpret_cast<const iovec*>(iov),
                                     static_cast<size_t>(iovlen), su ? &su->su_sa : nullptr, sulen))
      return *kept;
  }
  ssize_t n = pbx::sip::internal::ReceiveMessage(s, reinterpret_cast<iovec*>(iov),
                                                 static_cast<size_t>(iovlen), flags, su, sulen);
  if (n <= 0 || su == nullptr || sulen == nullptr || iovlen < 1 ||
      static_cast<size_t>(n) > iov[0].siv_len)
    return n;
  if (screen == nullptr) return n;
  std::string_view datagram(static_cast<const char*>(iov[0].siv_base), static_cast<size_t>(n));
  if (!screen->consume(datagram, &su->su_sa, *sulen)) return n;
  errno = EAGAIN;
  return -1;
}
