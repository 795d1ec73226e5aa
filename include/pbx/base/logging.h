// Logging: one replaceable sink receives every log line of pbxkit, including the lines that
// sofia-sip and spandsp print themselves (they are redirected into it).
//
//   class MySink : public pbx::LogSink {
//     void write(const pbx::LogRecord& r) override { myLogger(r.component, r.message); }
//   };
//   pbx::SetLogSink(std::make_shared<MySink>());
//   pbx::SetLogLevel(pbx::LogLevel::kDebug);
//
// The default sink writes "LEVEL component [context] message" lines to stderr from a writer
// thread of its own, so a slow or blocked stderr never stalls the thread that logs: beyond
// 4 MiB waiting, lines are dropped and a warning counts them. FlushLog() (and process exit)
// writes what is queued.
// Thread-safety: every function here may be called from any thread; a sink's write() is
// called from whichever thread logs, so sinks must be thread-safe.
#pragma once

#include <memory>
#include <string_view>

namespace pbx {

enum class LogLevel { kTrace = 0, kDebug, kInfo, kWarning, kError, kOff };

struct LogRecord {
  LogLevel level;
  std::string_view component;  // "sip", "media", "sofia", "call", ...
  std::string_view context;    // call or leg id when there is one, else empty
  std::string_view message;
};

class LogSink {
 public:
  virtual ~LogSink() = default;
  virtual void write(const LogRecord& record) = 0;
};

// Replaces the process-wide sink; nullptr restores the default stderr sink.
void SetLogSink(std::shared_ptr<LogSink> sink);
// Writes out every line the default stderr sink has queued; returns once they are written.
void FlushLog();
void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
bool LogEnabled(LogLevel level);
// Writes one record to the current sink if `level` is enabled.
void Log(LogLevel level, std::string_view component, std::string_view context,
         std::string_view message);
// Parses "trace", "debug", "info", "warning", "error", "off"; false when unknown.
bool ParseLogLevel(std::string_view text, LogLevel* level);
const char* LogLevelName(LogLevel level);

}  // namespace pbx
