#include "pbx/base/logging.h"

#include <pthread.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace pbx {
namespace {

// The default sink. Logging threads (the signaling thread above all) only format the line
// and queue it; a writer thread of its own does the write(2) to stderr. A stderr that blocks
// (a full pipe, a stalled terminal) then stalls only the writer: past kMaxQueuedBytes lines
// are dropped and counted, and a warning says how many once stderr drains.
class StderrSink final : public LogSink {
 public:
  static constexpr size_t kMaxQueuedBytes = 4 << 20;

  void write(const LogRecord& r) override {
    std::string line;
    line.reserve(r.message.size() + 32);
    line.append(LogLevelName(r.level)).append(" ").append(r.component);
    if (!r.context.empty()) line.append(" [").append(r.context).append("]");
    line.append(" ").append(r.message);
    if (line.empty() || line.back() != '\n') line.push_back('\n');
    if (inForkedChild_) {  // no writer thread in a fork()ed child: write directly
      std::fwrite(line.data(), 1, line.size(), stderr);
      return;
    }
    std::lock_guard<std::mutex> lock(queueMutex_);
    if (queuedBytes_ + line.size() > kMaxQueuedBytes) {
      ++dropped_;
      return;
    }
    queuedBytes_ += line.size();
    queue_.push_back(std::move(line));
    if (!writerStarted_) {
      writerStarted_ = true;
      std::thread([this] { writerLoop(); }).detach();
    }
    wake_.notify_one();
  }

  // Writes whatever is queued, on the calling thread, after any batch being written. Gives
  // up after two seconds when the writer is stuck on a stderr nobody reads, so that exit
  // does not hang on it.
  // Polls try_lock() rather than taking a timed lock: GCC 12's ThreadSanitizer does not see
  // the pthread_mutex_clocklock() under std::timed_mutex, and would report every exit of a
  // program that links pbxkit as an unlock of an unlocked mutex.
  void flush() {
    if (inForkedChild_) return;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (!outputMutex_.try_lock()) {
      if (std::chrono::steady_clock::now() >= deadline) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    std::lock_guard<std::mutex> out(outputMutex_, std::adopt_lock);
    writeBatch();
  }

  void markForkedChild() { inForkedChild_ = true; }

 private:
  void writerLoop() {
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(queueMutex_);
        wake_.wait(lock, [this] { return !queue_.empty() || dropped_ > 0; });
      }
      std::lock_guard<std::mutex> out(outputMutex_);
      writeBatch();
    }
  }

  // Called with outputMutex_ held.
  void writeBatch() {
    std::vector<std::string> batch;
    uint64_t dropped = 0;
    {
      std::lock_guard<std::mutex> lock(queueMutex_);
      batch.swap(queue_);
      queuedBytes_ = 0;
      dropped = std::exchange(dropped_, 0);
    }
    // stderr is unbuffered: one write for the whole batch rather than one per line
    std::string out;
    for (const auto& line : batch) out.append(line);
    std::fwrite(out.data(), 1, out.size(), stderr);
    if (dropped > 0)
      std::fprintf(stderr, "WARN log %llu lines dropped: stderr did not keep up\n",
                   static_cast<unsigned long long>(dropped));
    std::fflush(stderr);
  }

  std::mutex outputMutex_;  // one batch at a time reaches stderr, in order
  std::mutex queueMutex_;
  std::condition_variable wake_;
  std::vector<std::string> queue_;
  size_t queuedBytes_ = 0;
  uint64_t dropped_ = 0;
  bool writerStarted_ = false;
  bool inForkedChild_ = false;
};

// The default sink lives for the whole process (its writer thread may outlast main), and
// whatever it still holds is written at exit.
StderrSink& DefaultSink() {
  static auto* sink = [] {
    auto* s = new StderrSink();
    std::atexit([] { DefaultSink().flush(); });
    pthread_atfork(nullptr, nullptr, [] { DefaultSink().markForkedChild(); });
    return s;
  }();
  return *sink;
}

// The default sink as the slot holds it: shared, but never deleted.
std::shared_ptr<LogSink> DefaultSinkPtr() {
  return std::shared_ptr<LogSink>(&DefaultSink(), [](LogSink*) {});
}

// A sink the program installed, run on a thread of its own: whichever thread logs (the
// signaling thread above all) only copies the record into a queue. Beyond kMaxQueuedBytes
// records are dropped and counted, and the sink is told how many once it caught up.
class QueuedSink final : public LogSink {
 public:
  static constexpr size_t kMaxQueuedBytes = 4 << 20;

  explicit QueuedSink(std::shared_ptr<LogSink> sink)
      : sink_(std::move(sink)), thread_([this] { run(); }) {}
  ~QueuedSink() override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

  void write(const LogRecord& r) override {
    Owned record{r.level, std::string(r.component), std::string(r.context), std::string(r.message)};
    size_t size = record.component.size() + record.context.size() + record.message.size();
    std::lock_guard<std::mutex> lock(mutex_);
    if (queuedBytes_ + size > kMaxQueuedBytes) {
      ++dropped_;
      return;
    }
    queuedBytes_ += size;
    queue_.push_back(std::move(record));
    ++queuedCount_;
    wake_.notify_all();
  }

  // Returns once every record queued before the call has reached the sink.
  void flush() {
    std::unique_lock<std::mutex> lock(mutex_);
    uint64_t target = queuedCount_;
    if (std::this_thread::get_id() == thread_.get_id()) return;  // a sink that logs itself
    done_.wait(lock, [&] { return deliveredCount_ >= target; });
  }

 private:
  struct Owned {
    LogLevel level;
    std::string component, context, message;
  };

  void run() {
    pthread_setname_np(pthread_self(), "pbx-log");
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return !queue_.empty() || stopping_; });
      if (queue_.empty() && stopping_) return;
      std::vector<Owned> batch;
      batch.swap(queue_);
      queuedBytes_ = 0;
      uint64_t dropped = std::exchange(dropped_, 0);
      lock.unlock();
      for (const Owned& r : batch) sink_->write({r.level, r.component, r.context, r.message});
      if (dropped > 0) {
        std::string warning =
            std::to_string(dropped) + " log lines dropped: the sink did not keep up";
        sink_->write({LogLevel::kWarning, "log", "", warning});
      }
      lock.lock();
      deliveredCount_ += batch.size();
      done_.notify_all();
    }
  }

  std::shared_ptr<LogSink> sink_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  std::vector<Owned> queue_;
  size_t queuedBytes_ = 0;
  uint64_t dropped_ = 0;
  uint64_t queuedCount_ = 0;     // records queued so far
  uint64_t deliveredCount_ = 0;  // records handed to the sink so far
  bool stopping_ = false;
  std::thread thread_;
};

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
std::mutex g_sink_mutex;
std::shared_ptr<LogSink>& SinkSlot() {
  static auto* sink = new std::shared_ptr<LogSink>(DefaultSinkPtr());
  return *sink;
}

}  // namespace

void SetLogSink(std::shared_ptr<LogSink> sink) {
  std::shared_ptr<LogSink> replaced;
  {
    std::lock_guard<std::mutex> lock(g_sink_mutex);
    replaced = std::exchange(
        SinkSlot(), sink ? std::make_shared<QueuedSink>(std::move(sink)) : DefaultSinkPtr());
  }
  // `replaced` goes here, outside the lock: a program's sink hears what was queued for it
  // before its thread ends.
}

void FlushLog() {
  std::shared_ptr<LogSink> sink;
  {
    std::lock_guard<std::mutex> lock(g_sink_mutex);
    sink = SinkSlot();
  }
  if (auto* queued = dynamic_cast<QueuedSink*>(sink.get())) queued->flush();
  DefaultSink().flush();
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
