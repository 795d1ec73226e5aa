#include "pbx/base/logging.h"

#include <doctest/doctest.h>

#include <string>
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
  REQUIRE(sink->lines.size() == 1);
  CHECK(sink->lines[0] == "sip|C1|registered 100 at udp");
  pbx::SetLogSink(nullptr);
}

TEST_CASE("log levels parse from their names") {
  pbx::LogLevel level{};
  CHECK(pbx::ParseLogLevel("debug", &level));
  CHECK(level == pbx::LogLevel::kDebug);
  CHECK_FALSE(pbx::ParseLogLevel("loud", &level));
}
