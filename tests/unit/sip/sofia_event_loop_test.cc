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
// The receive buffer of this process's UDP socket bound to `port`, or 0.
int UdpReceiveBuffer(uint16_t port) {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return 0;
  int found = 0;
  while (dirent* entry = readdir(dir)) {
    int fd = atoi(entry->d_name);
    int type = 0;
    socklen_t len = sizeof type;
    sockaddr_in addr{};
    socklen_t alen = sizeof addr;
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_DGRAM) continue;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &alen) != 0 ||
        addr.sin_family != AF_INET || ntohs(addr.sin_port) != port)
      continue;
    len = sizeof found;
    getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &found, &len);
  }
  closedir(dir);
  return found;
}

}  // namespace

TEST_CASE("the SIP UDP socket gets the big receive buffer, as far as the kernel allows") {
  using pbx::sip::internal::kUdpSocketBuffer;
  auto loop = pbx::sip::CreateSofiaEventLoop();
  REQUIRE(loop.ok());
  const uint16_t port = pbx::testing::FreeLoopbackPort(SOCK_DGRAM);
  pbx::sip::SofiaStackOptions options;
  options.listen = {"udp:127.0.0.1:" + std::to_string(port)};
  auto stack = pbx::sip::CreateSofiaStack(**loop, options);
  REQUIRE(stack.ok());
  const auto limits = pbx::sip::internal::ReadUdpBufferLimits();
  const uint64_t granted =
      limits.netAdmin ? kUdpSocketBuffer : std::min<uint64_t>(kUdpSocketBuffer, limits.rmemMax);
  // The kernel reports twice what was set (the rest is its bookkeeping); the default is
  // net.core.rmem_default, reported as is.
  INFO("rmem_max " << limits.rmemMax << ", CAP_NET_ADMIN " << limits.netAdmin);
  CHECK(static_cast<uint64_t>(UdpReceiveBuffer(port)) >= 2 * granted);
  stack->reset();
}
