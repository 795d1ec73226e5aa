#include "lib/fax/documents/decoder_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "pbx/base/status.h"

namespace pbx::fax::internal {
namespace {

// Pipe framing: one type byte, a 4-byte length, then the payload.
enum MessageType : char { kBegin = 'B', kPage = 'P', kStatus = 'S' };
constexpr std::size_t kFrameHeader = 5;

void PutU32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
std::uint32_t GetU32(const char* p) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= static_cast<std::uint32_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

bool WriteAll(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

std::string Frame(MessageType type, const std::string& payload) {
  std::string out;
  out.reserve(kFrameHeader + payload.size());
  out.push_back(type);
  PutU32(out, static_cast<std::uint32_t>(payload.size()));
  out += payload;
  return out;
}

// The child's sink: every call becomes a frame on the pipe.
class PipeSink final : public PageSink {
 public:
  explicit PipeSink(int fd) : fd_(fd) {}
  absl::Status beginDocument(int page_count) override {
    std::string payload;
    PutU32(payload, static_cast<std::uint32_t>(page_count));
    return send(kBegin, payload);
  }
  absl::Status addPage(Bitmap page) override {
    std::string payload;
    PutU32(payload, static_cast<std::uint32_t>(page.width));
    PutU32(payload, static_cast<std::uint32_t>(page.rows));
    payload.append(reinterpret_cast<const char*>(page.bits.data()), page.bits.size());
    return send(kPage, payload);
  }

 private:
  absl::Status send(MessageType type, const std::string& payload) {
    if (!WriteAll(fd_, Frame(type, payload))) return absl::AbortedError("parent went away");
    return absl::OkStatus();
  }
  int fd_;
};

[[noreturn]] void RunChild(int fd, const std::string& path, DocumentType type,
                           const DecodeOptions& options, const ChildLimits& limits,
                           std::int64_t cpu_seconds) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  // Drop every inherited descriptor (sockets, files of the parent) except stdio and the pipe.
  if (fd > 3) ::close_range(3, static_cast<unsigned>(fd) - 1, 0);
  ::close_range(static_cast<unsigned>(fd) + 1, ~0U, 0);
  ::signal(SIGPIPE, SIG_IGN);
  // With no file-size allowance a write (say, a font cache) fails instead of killing us.
  ::signal(SIGXFSZ, SIG_IGN);
// The sanitizers reserve terabytes of address space for their shadow memory.
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  if (limits.memory_bytes > 0) {
    struct rlimit memory = {static_cast<rlim_t>(limits.memory_bytes),
                            static_cast<rlim_t>(limits.memory_bytes)};
    ::setrlimit(RLIMIT_AS, &memory);
  }
#endif
  struct rlimit cpu = {static_cast<rlim_t>(cpu_seconds), static_cast<rlim_t>(cpu_seconds + 1)};
  ::setrlimit(RLIMIT_CPU, &cpu);
  struct rlimit no_core = {0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);
  struct rlimit no_files = {0, 0};
  ::setrlimit(RLIMIT_FSIZE, &no_files);

  absl::Status status;
  try {
    PipeSink sink(fd);
    status = DecodeDocument(path, type, options, sink);
  } catch (const std::bad_alloc&) {
    status = absl::ResourceExhaustedError("decoder ran out of memory");
  } catch (...) {
    status = absl::InternalError("decoder failed with an exception");
  }
  std::string payload;
  PutU32(payload, static_cast<std::uint32_t>(status.code()));
  payload += std::string(status.message());
  WriteAll(fd, Frame(kStatus, payload));
  ::_exit(0);
}

// Parses frames from the child and forwards them to the caller's sink.
class FrameReader {
 public:
  explicit FrameReader(PageSink& sink) : sink_(sink) {}

  // Consumes complete frames from `buffer_`; returns the first error of the sink or child.
  absl::Status feed(const char* data, std::size_t size) {
    buffer_.append(data, size);
    std::size_t offset = 0;
    absl::Status result;
    while (result.ok() && buffer_.size() - offset >= kFrameHeader) {
      const char type = buffer_[offset];
      const std::uint32_t length = GetU32(buffer_.data() + offset + 1);
      if (buffer_.size() - offset - kFrameHeader < length) break;
      result = handle(type, buffer_.data() + offset + kFrameHeader, length);
      offset += kFrameHeader + length;
    }
    buffer_.erase(0, offset);
    return result;
  }
  bool finished() const { return finished_; }

 private:
  absl::Status handle(char type, const char* p, std::uint32_t length) {
    switch (type) {
      case kBegin:
        if (length != 4) break;
        return sink_.beginDocument(static_cast<int>(GetU32(p)));
      case kPage: {
        if (length < 8) break;
        const int width = static_cast<int>(GetU32(p));
        const int rows = static_cast<int>(GetU32(p + 4));
        if (width <= 0 || rows <= 0 || width > 1 << 16 || rows > 1 << 20) break;
        Bitmap page = Bitmap::Blank(width, rows);
        if (page.bits.size() != length - 8) break;
        std::memcpy(page.bits.data(), p + 8, page.bits.size());
        return sink_.addPage(std::move(page));
      }
      case kStatus: {
        if (length < 4) break;
        finished_ = true;
        const auto code = static_cast<absl::StatusCode>(GetU32(p));
        return absl::Status(code, std::string(p + 4, length - 4));
      }
      default:
        break;
    }
    return absl::InternalError("garbled message from the decoder process");
  }

  PageSink& sink_;
  std::string buffer_;
  bool finished_ = false;
};

std::string SignalName(int signal) {
  const char* name = ::sigabbrev_np(signal);
  return name != nullptr ? absl::StrCat("SIG", name) : absl::StrCat("signal ", signal);
}

// Waits for `pid` to end, killing it at the deadline. Returns the wait status.
int ReapChild(pid_t pid, bool kill_now, const ChildLimits& limits, const TimeSource& time,
              bool* timed_out) {
  if (kill_now) ::kill(pid, SIGKILL);
  int wstatus = 0;
  while (true) {
    const pid_t r = ::waitpid(pid, &wstatus, kill_now ? 0 : WNOHANG);
    if (r == pid) return wstatus;
    if (r < 0 && errno != EINTR) return 0;
    if (r == 0) {
      if (time.monotonicTime() >= limits.deadline) {
        *timed_out = true;
        kill_now = true;
        ::kill(pid, SIGKILL);
        continue;
      }
      ::usleep(2000);
    }
  }
}

}  // namespace

absl::Status DecodeInChildProcess(const std::string& path, DocumentType type,
                                  const DecodeOptions& options, const ChildLimits& limits,
                                  const TimeSource& time, PageSink& sink) {
  const auto left = limits.deadline - time.monotonicTime();
  if (left <= std::chrono::nanoseconds::zero()) {
    return absl::DeadlineExceededError("document conversion did not finish within its time limit");
  }
  // CPU limit: the wall-clock budget rounded up, a backstop if the deadline clock is simulated.
  const auto budget = std::chrono::ceil<std::chrono::seconds>(left);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
  }
  if (pid == 0) {
    ::close(fds[0]);
    RunChild(fds[1], path, type, options, limits, budget.count() + 1);
  }
  ::close(fds[1]);

  FrameReader reader(sink);
  absl::Status result;
  bool timed_out = false;
  bool eof = false;
  std::string chunk(1 << 16, '\0');
  while (result.ok() && !eof) {
    const auto remaining = limits.deadline - time.monotonicTime();
    if (remaining <= std::chrono::nanoseconds::zero()) {
      timed_out = true;
      break;
    }
    const int wait_ms = static_cast<int>(std::clamp<std::int64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(remaining).count(), 1, 100));
    struct pollfd pfd = {fds[0], POLLIN, 0};
    const int ready = ::poll(&pfd, 1, wait_ms);
    if (ready < 0 && errno != EINTR) {
      result = absl::InternalError(absl::StrCat("poll: ", std::strerror(errno)));
    }
    if (ready <= 0) continue;
    const ssize_t n = ::read(fds[0], chunk.data(), chunk.size());
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) {
      eof = true;
      continue;
    }
    result = reader.feed(chunk.data(), static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  // Kill unless the child finished normally; it never outlives this call.
  // Stopped reading before the child closed its end (error or deadline): kill it now.
  const int wstatus = ReapChild(pid, /*kill_now=*/!eof, limits, time, &timed_out);

  if (timed_out) {
    return absl::DeadlineExceededError("document conversion did not finish within its time limit");
  }
  if (!result.ok()) return result;
  if (WIFSIGNALED(wstatus)) {
    const int sig = WTERMSIG(wstatus);
    if (sig == SIGXCPU) return absl::DeadlineExceededError("decoder exceeded its CPU time limit");
    return absl::InternalError(absl::StrCat("decoder process crashed (", SignalName(sig),
                                            "); the document is damaged or too large"));
  }
  if (!reader.finished()) return absl::InternalError("decoder process ended without a result");
  return absl::OkStatus();
}

}  // namespace pbx::fax::internal
