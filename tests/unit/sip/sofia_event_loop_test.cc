#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <thread>

#include "lib/sip/sofia/sofia_event_loop.h"
#include "lib/sip/sofia/udp_buffers.h"
#include "pbx/sip/sofia.h"
#include "tests/unit/free_port.h"

using namespace std::chrono_literals;

TEST_CASE("the sofia loop runs work posted from other threads, in order") {
  auto loop = pbx::sip::CreateSofiaEventLoop();
  REQUIRE(loop.ok());
  std::string order;
  std::thread producer([&] {
    for (char c : std::string("abc")) (*loop)->post([&order, c] { order.push_back(c); });
    (*loop)->post([&] {
      CHECK((*loop)->isThreadSafe());
      (*loop)->stop();
    });
  });
  (*loop)->run();
  producer.join();
  CHECK(order == "abc");
}

TEST_CASE("sofia timers fire after their delay; disabled ones never") {
  auto loop = pbx::sip::CreateSofiaEventLoop();
  REQUIRE(loop.ok());
  const auto& time = (*loop)->timeSource();
  auto start = time.monotonicTime();
  bool cancelledFired = false;
  pbx::MonotonicTime firedAt{};
  auto cancelled = (*loop)->createTimer([&] { cancelledFired = true; });
  cancelled->enable(10ms);
  cancelled->disable();
  auto timer = (*loop)->createTimer([&] {
    firedAt = time.monotonicTime();
    (*loop)->stop();
  });
  timer->enable(50ms);
  CHECK(timer->enabled());
  (*loop)->run();
  CHECK_FALSE(timer->enabled());
  CHECK_FALSE(cancelledFired);
  CHECK(firedAt - start >= 50ms);
}

namespace {
struct TimerChain {
  pbx::EventLoop* loop = nullptr;
  pbx::TimerPtr timer;
  int remaining = 0;
  void next() {
    if (--remaining < 0) return loop->stop();
    timer->enable(3ms);
  }
};
}  // namespace

TEST_CASE("the sofia loop sleeps until its next timer instead of spinning through the last ms") {
  // su_root's loop truncates the time to its next timer to whole milliseconds; unless the
  // clock it reads is rounded (sofia_clock.h), a timer due in 0.6 ms means epoll_wait(0) until
  // it is, dozens of loop turns per timer.
  auto loop = pbx::sip::internal::SofiaEventLoop::Create();
  REQUIRE(loop.ok());
  int turns = 0;
  REQUIRE(
      su_root_add_prepoll((*loop)->root(),
                          [](su_prepoll_magic_t* m, su_root_t*) { ++*reinterpret_cast<int*>(m); },
                          reinterpret_cast<su_prepoll_magic_t*>(&turns)) == 0);
  constexpr int kTimers = 30;
  TimerChain chain;
  chain.loop = loop->get();
  chain.remaining = kTimers;
  chain.timer = (*loop)->createTimer([&chain] { chain.next(); });
  chain.next();
  (*loop)->run();
  INFO(turns << " loop turns for " << kTimers << " timers");
  CHECK(turns <= 4 * kTimers);
}

TEST_CASE("stop() before run() makes run() return at once") {
  auto loop = pbx::sip::CreateSofiaEventLoop();
  REQUIRE(loop.ok());
  (*loop)->stop();
  (*loop)->run();
}

TEST_CASE("the sofia stack rejects listen lists it cannot bind") {
  auto loop = pbx::sip::CreateSofiaEventLoop();
  REQUIRE(loop.ok());
  pbx::sip::SofiaStackOptions options;
  options.listen = {"udp:127.0.0.1:5999", "tcp:127.0.0.1:6000"};
  auto stack = pbx::sip::CreateSofiaStack(**loop, options);
  CHECK_FALSE(stack.ok());
  options.listen = {"sctp:127.0.0.1:5999"};
  CHECK_FALSE(pbx::sip::CreateSofiaStack(**loop, options).ok());
  CHECK(pbx::sip::ListenEntryToUri("udp:[::1]:5060").value() == "sip:[::1]:5060;transport=udp");
}

TEST_CASE("a low net.core.rmem_max without CAP_NET_ADMIN gets a warning naming the sysctl") {
  using pbx::sip::internal::UdpBufferWarning;
  constexpr uint64_t kWanted = 4 << 20;
  CHECK_FALSE(UdpBufferWarning({kWanted, kWanted, false}, kWanted));
  CHECK_FALSE(UdpBufferWarning({212992, 212992, true}, kWanted));  // SO_RCVBUFFORCE works
  auto warning = UdpBufferWarning({212992, kWanted, false}, kWanted);
  REQUIRE(warning);
  CHECK(warning->find("net.core.rmem_max=212992") != std::string::npos);
  CHECK(warning->find("wmem_max=212992") == std::string::npos);
  CHECK(warning->find("sysctl -w net.core.rmem_max=4194304") != std::string::npos);
}

namespace {
// The receive buffer of this process's UDP socket bound to 127.0.0.1:`port`, or 0.
int UdpReceiveBuffer(uint16_t port) {
  int fd = pbx::sip::internal::FindUdpSocket(*pbx::SocketAddress::Parse("127.0.0.1", port));
  int size = 0;
  socklen_t length = sizeof size;
  if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, &length) != 0) return 0;
  return size;
}

// A sofia stack listening on a free loopback UDP port, its loop not running.
struct UdpStack {
  UdpStack() {
    REQUIRE(loop.ok());
    pbx::sip::SofiaStackOptions options;
    options.listen = {"udp:127.0.0.1:" + std::to_string(port)};
    stack = pbx::sip::CreateSofiaStack(**loop, options);
    REQUIRE(stack.ok());
  }
  ~UdpStack() { stack->reset(); }  // the stack goes before its loop
  absl::StatusOr<pbx::EventLoopPtr> loop = pbx::sip::CreateSofiaEventLoop();
  const uint16_t port = pbx::testing::FreeLoopbackPort(SOCK_DGRAM);
  absl::StatusOr<pbx::sip::SignalingStackPtr> stack = absl::UnknownError("not created");
};

}  // namespace

TEST_CASE("the SIP UDP socket gets the big receive buffer, as far as the kernel allows") {
  using pbx::sip::internal::kUdpSocketBuffer;
  UdpStack t;
  const auto limits = pbx::sip::internal::ReadUdpBufferLimits();
  const uint64_t granted =
      limits.netAdmin ? kUdpSocketBuffer : std::min<uint64_t>(kUdpSocketBuffer, limits.rmemMax);
  // The kernel reports twice what was set (the rest is its bookkeeping); the default is
  // net.core.rmem_default, reported as is.
  INFO("rmem_max " << limits.rmemMax << ", CAP_NET_ADMIN " << limits.netAdmin);
  CHECK(static_cast<uint64_t>(UdpReceiveBuffer(t.port)) >= 2 * granted);
}

TEST_CASE("the stack reports how full its UDP receive queue is, for overload control") {
  UdpStack t;
  CHECK((*t.stack)->receiveQueueFill() == 0);

  // The loop does not run, so what is sent waits in the socket's queue.
  int sender = socket(AF_INET, SOCK_DGRAM, 0);
  REQUIRE(sender >= 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(t.port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const std::string datagram(1000, 'x');
  constexpr int kDatagrams = 200;
  for (int i = 0; i < kDatagrams; ++i)
    REQUIRE(sendto(sender, datagram.data(), datagram.size(), 0, reinterpret_cast<sockaddr*>(&to),
                   sizeof to) == static_cast<ssize_t>(datagram.size()));
  close(sender);
  const double fill = (*t.stack)->receiveQueueFill();
  INFO("fill " << fill << " of a " << UdpReceiveBuffer(t.port) << "-byte buffer");
  CHECK(fill >= double(kDatagrams) * datagram.size() / UdpReceiveBuffer(t.port));
  CHECK(fill < 1);
}
