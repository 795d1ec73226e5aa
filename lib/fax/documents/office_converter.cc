#include "lib/fax/documents/office_converter.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace pbx::fax::internal {
namespace fs = std::filesystem;

absl::StatusOr<std::string> FindSoffice(const std::string& configured) {
  if (!configured.empty()) {
    if (::access(configured.c_str(), X_OK) == 0) return configured;
    return absl::FailedPreconditionError(
        absl::StrCat("LibreOffice binary '", configured, "' is not executable"));
  }
  const char* path_env = std::getenv("PATH");
  const std::string search = path_env != nullptr ? path_env : "/usr/bin:/bin";
  for (absl::string_view dir : absl::StrSplit(search, ':', absl::SkipEmpty())) {
    for (const char* name : {"soffice", "libreoffice"}) {
      const std::string candidate = absl::StrCat(dir, "/", name);
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
  }
  return absl::FailedPreconditionError(
      "converting office documents needs LibreOffice, which is not installed: install the "
      "Debian package libreoffice-writer-nogui (or libreoffice)");
}

absl::StatusOr<std::string> ConvertOfficeToPdf(const std::string& input,
                                               const std::string& work_dir,
                                               const ChildLimits& limits, const TimeSource& time,
                                               const std::string& soffice_path) {
  absl::StatusOr<std::string> soffice = FindSoffice(soffice_path);
  if (!soffice.ok()) return soffice.status();
  const std::string profile = absl::StrCat("-env:UserInstallation=file://", work_dir, "/profile");
  const std::string out_dir = absl::StrCat(work_dir, "/out");
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  const std::string absolute_input = fs::absolute(input, ec).string();
  std::vector<std::string> args = {*soffice,        profile,        "--headless", "--norestore",
                                   "--nolockcheck", "--convert-to", "pdf",        "--outdir",
                                   out_dir,         absolute_input};

  // LibreOffice talks on stdout/stderr; that goes to a log, quoted in errors, never to ours.
  const std::string log_path = absl::StrCat(work_dir, "/soffice.log");
  const pid_t pid = ::fork();
  if (pid < 0) return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
  if (pid == 0) {
    const int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (log_fd >= 0) {
      ::dup2(log_fd, STDOUT_FILENO);
      ::dup2(log_fd, STDERR_FILENO);
    }
    ::setpgid(0, 0);  // its own group, so oosplash and soffice.bin die together
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const std::string home = absl::StrCat("HOME=", work_dir);
    ::putenv(const_cast<char*>(home.c_str()));
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::setpgid(pid, pid);
  int wstatus = 0;
  bool timed_out = false;
  while (true) {
    const pid_t r = ::waitpid(pid, &wstatus, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) break;
    if (time.monotonicTime() >= limits.deadline) {
      timed_out = true;
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &wstatus, 0);
      break;
    }
    ::usleep(20000);
  }
  ::kill(-pid, SIGKILL);  // leftovers of the group, if any
  if (timed_out) {
    return absl::DeadlineExceededError("LibreOffice did not convert the document in time");
  }
  const std::string pdf = absl::StrCat(out_dir, "/", fs::path(input).stem().string(), ".pdf");
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0 || !fs::exists(pdf, ec)) {
    std::string said;
    if (std::ifstream log(log_path); log) {
      said.assign(std::istreambuf_iterator<char>(log), std::istreambuf_iterator<char>());
      if (said.size() > 300) said = said.substr(said.size() - 300);
      while (!said.empty() && (said.back() == '\n' || said.back() == ' ')) said.pop_back();
    }
    return absl::InvalidArgumentError(
        absl::StrCat("LibreOffice could not convert the document (damaged or unsupported file)",
                     said.empty() ? "" : ": ", said));
  }
  return pdf;
}

}  // namespace pbx::fax::internal
