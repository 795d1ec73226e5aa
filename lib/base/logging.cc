#include "pbx/base/logging.h"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>

namespace pbx {
namespace {

class StderrSink final : public LogSink {
 public:
  void write(const LogRecord& r) override {
    std::string line;
    line.reserve(r.message.size() + 32);
    line.append(LogLevelName(r.level)).append(" ").append(r.component);
    if (!r.context.empty()) line.append(" [").append(r.context).append("]");
    line.append(" ").append(r.message);
    if (line.empty() || line.back() != '\n') line.push_back('\n');
    std::lock_guard<std::mutex> lock(mutex_);
    std::fwrite(line.data(), 1, line.size(), stderr);
  }

 private:
  std::mutex mutex_;
};

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
std::mutex g_sink_mutex;
std::shared_ptr<LogSink>& SinkSlot() {
  static auto* sink = new std::shared_ptr<LogSink>(std::make_shared<StderrSink>());
  return *sink;
}

}  // namespace

void SetLogSink(std::shared_ptr<LogSink> sink) {
  std::lock_guard<std::mutex> lock(g_sink_mutex);
  SinkSlot() = sink ? std::move(sink) : std::make_shared<StderrSink>();
}

void SetLogLevel(LogLevel level) { g_level = static_cast<int>(level); }
LogLevel GetLogLevel() { return static_cast<LogLevel>(g_level.load()); }
bool LogEnabled(LogLevel level) {
  return level != LogLevel::kOff &&
         static_cast<int>(level) >= g_level.load(std::memory_order_relaxed);
}

void Log(LogLevel level, std::string_view component, std::string_view context,
         std::string_view message) {
  if (!LogEnabled(level)) return;
  std::shared_ptr<LogSink> sink;
  {
    std::lock_guard<std::mutex> lock(g_sink_mutex);
    sink = SinkSlot();
  }
  sink->write(LogRecord{level, component, context, message});
}

bool ParseLogLevel(std::string_view text, LogLevel* level) {
  static constexpr std::pair<std::string_view, LogLevel> kNames[] = {
      {"trace", LogLevel::kTrace},     {"debug", LogLevel::kDebug},  {"info", LogLevel::kInfo},
      {"warning", LogLevel::kWarning}, {"warn", LogLevel::kWarning}, {"error", LogLevel::kError},
      {"off", LogLevel::kOff}};
  for (const auto& [name, value] : kNames) {
    if (text == name) {
      *level = value;
      return true;
    }
  }
  return false;
}

const char* LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace:
      return "TRACE";
    case LogLevel::kDebug:
      return "DEBUG";
    case LogLevel::kInfo:
      return "INFO";
    case LogLevel::kWarning:
      return "WARN";
    case LogLevel::kError:
      return "ERROR";
    case LogLevel::kOff:
      return "OFF";
  }
  return "?";
}

}  // namespace pbx
