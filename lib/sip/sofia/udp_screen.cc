#include "lib/sip/sofia/udp_screen.h"

#include <dlfcn.h>
#include <netinet/in.h>
#include <sofia-sip/su.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "lib/sip/common/stateless_reply.h"

namespace pbx::sip::internal {
namespace {

// The sockets screens are attached to. Looked up for every datagram sofia reads, so the
// common case of none attached does not take the lock.
struct Registry {
  std::mutex mutex;
  std::vector<std::pair<int, UdpScreen*>> screens;
  std::atomic<size_t> count{0};
};

Registry& Screens() {
  static Registry* registry = new Registry;  // never destroyed: sofia may read during exit
  return *registry;
}

UdpScreen* ScreenOf(int fd) {
  Registry& r = Screens();
  if (r.count.load(std::memory_order_acquire) == 0) return nullptr;
  std::lock_guard lock(r.mutex);
  for (auto& [attached, screen] : r.screens)
    if (attached == fd) return screen;
  return nullptr;
}

}  // namespace

UdpScreen::UdpScreen(int fd, Decide decide, std::string extraHeaders)
    : fd_(fd), decide_(std::move(decide)), extraHeaders_(std::move(extraHeaders)) {
  Registry& r = Screens();
  std::lock_guard lock(r.mutex);
  r.screens.emplace_back(fd_, this);
  r.count.store(r.screens.size(), std::memory_order_release);
}

UdpScreen::~UdpScreen() {
  Registry& r = Screens();
  std::lock_guard lock(r.mutex);
  std::erase_if(r.screens, [this](const auto& entry) { return entry.second == this; });
  r.count.store(r.screens.size(), std::memory_order_release);
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
  sendto(fd_, response.data(), response.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&address),
         fromLength);
  ++answered_;
  return true;
}

}  // namespace pbx::sip::internal

// Takes the place of libsofia's su_vrecv (see udp_screen.h): the same recvmsg(), then the
// datagram goes to the screen attached to the socket, if any.
issize_t su_vrecv(su_socket_t s, su_iovec_t iov[], isize_t iovlen, int flags, su_sockaddr_t* su,
                  socklen_t* sulen) {
  msghdr header{};
  header.msg_name = su;
  if (su && sulen) header.msg_namelen = *sulen;
  header.msg_iov = reinterpret_cast<iovec*>(iov);
  header.msg_iovlen = static_cast<size_t>(iovlen);
  ssize_t n = recvmsg(s, &header, flags);
  if (su && sulen) *sulen = header.msg_namelen;
  if (n <= 0 || su == nullptr || iovlen < 1 || static_cast<size_t>(n) > iov[0].siv_len) return n;
  pbx::sip::internal::UdpScreen* screen = pbx::sip::internal::ScreenOf(s);
  if (screen == nullptr) return n;
  std::string_view datagram(static_cast<const char*>(iov[0].siv_base), static_cast<size_t>(n));
  if (!screen->consume(datagram, &su->su_sa, header.msg_namelen)) return n;
  errno = EAGAIN;
  return -1;
}
