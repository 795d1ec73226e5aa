#include "pbx/base/logging.h"

#include <doctest/doctest.h>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "lib/base/log.h"

namespace {
struct CaptureSink : pbx::LogSink {
  std::vector<std::string> lines;
  void write(const pbx::LogRecord& r) override {
    lines.push_back(std::string(r.component) + "|" + std::string(r.context) + "|" +
                    std::string(r.message));
  }
};
}  // namespace

TEST_CASE("log records reach the installed sink, filtered by level") {
  auto sink = std::make_shared<CaptureSink>();
  pbx::SetLogSink(sink);
  pbx::SetLogLevel(pbx::LogLevel::kInfo);
  PBX_LOG(kDebug, "sip", "", "hidden {}", 1);
  PBX_LOG(kInfo, "sip", "C1", "registered {} at {}", "100", "udp");
  pbx::FlushLog();
  REQUIRE(sink->lines.size() == 1);
  CHECK(sink->lines[0] == "sip|C1|registered 100 at udp");
  pbx::SetLogSink(nullptr);
}

TEST_CASE("a program's sink runs on a thread of its own, in order, never the one that logs") {
  struct ThreadSink : pbx::LogSink {
    std::vector<std::thread::id> threads;
    std::vector<std::string> messages;
    std::atomic<bool> release{false};
    void write(const pbx::LogRecord& r) override {
      while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));  // a slow sink
      threads.push_back(std::this_thread::get_id());
      messages.push_back(std::string(r.message));
    }
  };
  auto sink = std::make_shared<ThreadSink>();
  pbx::SetLogSink(sink);
  pbx::SetLogLevel(pbx::LogLevel::kInfo);
  for (int i = 0; i < 100; ++i) PBX_LOG(kInfo, "call", "", "{}", i);  // returns at once
  sink->release = true;
  pbx::FlushLog();
  REQUIRE(sink->messages.size() == 100);
  for (int i = 0; i < 100; ++i) CHECK(sink->messages[i] == std::to_string(i));
  for (auto id : sink->threads) CHECK(id != std::this_thread::get_id());
  pbx::SetLogSink(nullptr);
}

TEST_CASE("log levels parse from their names") {
  pbx::LogLevel level{};
  CHECK(pbx::ParseLogLevel("debug", &level));
  CHECK(level == pbx::LogLevel::kDebug);
  CHECK_FALSE(pbx::ParseLogLevel("loud", &level));
}

namespace {
// Points fd 2 somewhere else for the lifetime of the object.
class StderrRedirect {
 public:
  explicit StderrRedirect(int fd) : saved_(::dup(2)) {
    std::fflush(stderr);
    ::dup2(fd, 2);
  }
  ~StderrRedirect() {
    std::fflush(stderr);
    ::dup2(saved_, 2);
    ::close(saved_);
  }

 private:
  int saved_;
};
}  // namespace

TEST_CASE("the default sink writes every line to stderr, in order") {
  pbx::SetLogSink(nullptr);
  pbx::SetLogLevel(pbx::LogLevel::kInfo);
  char path[] = "/tmp/pbx-log-test-XXXXXX";
  int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  {
    StderrRedirect redirect(fd);
    for (int i = 0; i < 1000; ++i) PBX_LOG(kInfo, "sip", "C7", "line {}", i);
    pbx::FlushLog();
  }
  std::ifstream in(path);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    if (line.rfind("INFO sip [C7] line ", 0) != 0) continue;
    CHECK(line == "INFO sip [C7] line " + std::to_string(n));
    ++n;
  }
  CHECK(n == 1000);
  ::close(fd);
  ::unlink(path);
}

TEST_CASE("a stderr nobody reads never blocks the thread that logs") {
  pbx::SetLogSink(nullptr);
  pbx::SetLogLevel(pbx::LogLevel::kInfo);
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  std::string text;  // the tail of what was read, and the warning once seen
  std::atomic<bool> warned{false};
  std::thread reader;
  {
    StderrRedirect redirect(fds[1]);
    // 8 MiB of lines against a 64 KiB pipe nobody drains yet: the writer thread blocks, the
    // queue fills, and the rest is dropped instead of stalling this thread.
    const std::string payload(1024, 'x');
    for (int i = 0; i < 8192; ++i) PBX_LOG(kInfo, "media", "", "{} {}", i, payload);
    // Reads to EOF: the writer may still be in the middle of a batch after the warning, and
    // the redirect's fflush below waits for it.
    reader = std::thread([&] {
      char buf[1 << 16];
      std::string tail;
      for (;;) {
        ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n <= 0) break;
        if (warned) continue;
        tail.append(buf, static_cast<size_t>(n));
        size_t at = tail.find("lines dropped");
        if (at != std::string::npos) {
          size_t start = tail.rfind('\n', at);
          text = tail.substr(start == std::string::npos ? 0 : start + 1);
          warned = true;
        } else if (tail.size() > (1u << 20)) {
          tail.erase(0, tail.size() - 4096);
        }
      }
    });
    pbx::FlushLog();
    PBX_LOG(kInfo, "media", "", "after the storm");  // wakes the writer for the warning
    for (int i = 0; i < 2000 && !warned; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::close(fds[1]);  // with fd 2 restored, the reader sees EOF once the writer is done
  reader.join();
  CHECK(text.find("WARN log ") != std::string::npos);
  CHECK(text.find("lines dropped: stderr did not keep up") != std::string::npos);
  ::close(fds[0]);
}
