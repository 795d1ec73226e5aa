#include "tools/bench/media-relay/rtpengine_process.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace pbx::bench {
namespace {

// A loopback UDP port that was free a moment ago: the kernel picks it, we let it go.
uint16_t FreeUdpPort() {
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof local;
  uint16_t port = 0;
  if (fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) == 0) {
    port = ntohs(local.sin_port);
  }
  if (fd >= 0) close(fd);
  return port;
}

std::string LogTail(const std::string& path) {
  std::ifstream log(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(log, line);) lines.push_back(line);
  std::string tail;
  for (size_t i = lines.size() > 5 ? lines.size() - 5 : 0; i < lines.size(); ++i) {
    absl::StrAppend(&tail, "\n  ", lines[i]);
  }
  return tail;
}

}  // namespace

std::string RtpengineProcess::Find() {
  std::vector<std::string> dirs;
  if (const char* path = std::getenv("PATH")) dirs = absl::StrSplit(path, ':');
  dirs.push_back("/usr/bin");
  dirs.push_back("/usr/sbin");
  for (const std::string& dir : dirs) {
    const std::string candidate = dir + "/rtpengine";
    if (!dir.empty() && access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

std::string RtpengineProcess::Version(const std::string& binary) {
  const std::string command = binary + " --version 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return "unknown";
  char line[256];
  std::string version = "unknown";
  while (fgets(line, sizeof line, pipe) != nullptr) {
    std::string text(line);
    const size_t at = text.find("Version: ");
    if (at != std::string::npos)
      version = text.substr(at + 9, text.find_last_not_of("\r\n") - at - 8);
  }
  pclose(pipe);
  return version;
}

absl::StatusOr<std::unique_ptr<RtpengineProcess>> RtpengineProcess::Start(
    const RtpengineOptions& options) {
  const uint16_t ngPort = FreeUdpPort();
  if (ngPort == 0) return absl::InternalError("no free UDP port for rtpengine's ng protocol");
  // Everything the child needs is built before fork(): after it only exec-safe calls.
  std::vector<std::string> args = {
      options.binary,
      "--config-file=none",  // ignore /etc/rtpengine/rtpengine.conf
      "--foreground",
      "--log-stderr",
      "--log-level=4",  // warnings: per-call notices would cost it CPU we then measure
      "--table=-1",     // no kernel module: forward in userspace
      "--interface=127.0.0.1",
      absl::StrCat("--listen-ng=127.0.0.1:", ngPort),
      absl::StrCat("--num-threads=", options.threads),
      absl::StrCat("--port-min=", options.portMin),
      absl::StrCat("--port-max=", options.portMax),
      "--delete-delay=0",  // free a deleted call's ports at once for the next step
  };
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const int log = open(options.logPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log < 0) return absl::InternalError("cannot write " + options.logPath);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    close(log);
    return absl::InternalError("fork() failed");
  }
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    dup2(log, STDOUT_FILENO);
    dup2(log, STDERR_FILENO);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(log);
  std::unique_ptr<RtpengineProcess> process(new RtpengineProcess(pid));
  auto ng = NgClient::Create(*SocketAddress::Parse("127.0.0.1", ngPort));
  if (!ng.ok()) return ng.status();
  process->ng_ = std::move(*ng);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      process->pid_ = -1;
      return absl::InternalError(absl::StrCat("rtpengine exited at start-up; ", options.logPath,
                                              ":", LogTail(options.logPath)));
    }
    if (process->ng_->ping().ok()) return process;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // refused: not listening yet
  }
  return absl::DeadlineExceededError(absl::StrCat("rtpengine did not answer ng pings; ",
                                                  options.logPath, ":", LogTail(options.logPath)));
}

RtpengineProcess::~RtpengineProcess() { stop(); }

void RtpengineProcess::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 100; ++i) {  // 5 s to shut down cleanly
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

double RtpengineProcess::cpuSeconds() const {
  std::ifstream statFile("/proc/" + std::to_string(pid_) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(statFile)), {});
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return 0;
  std::istringstream fields(stat.substr(paren + 2));
  std::string field;
  unsigned long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {  // fields 14 and 15: utime, stime
    if (i == 14) utime = std::stoul(field);
    if (i == 15) stime = std::stoul(field);
  }
  return static_cast<double>(utime + stime) / sysconf(_SC_CLK_TCK);
}

}  // namespace pbx::bench
