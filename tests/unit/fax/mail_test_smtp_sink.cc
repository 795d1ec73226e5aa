// SmtpSink: tests/support/smtp_sink.py (python3-aiosmtpd) on 127.0.0.1.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "absl/strings/str_cat.h"
#include "tests/unit/fax/mail_test_servers.h"

namespace pbx::fax::testing {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {
constexpr const char* kPython = "/usr/bin/python3";  // Debian's, where python3-aiosmtpd lives
}  // namespace

absl::StatusOr<std::unique_ptr<SmtpSink>> SmtpSink::Start(const SmtpSinkOptions& options) {
  std::string script = std::string(PBX_SOURCE_DIR) + "/tests/support/smtp_sink.py";
  if (!fs::exists(kPython) ||
      std::system(absl::StrCat(kPython, " -c 'import aiosmtpd.controller' 2>/dev/null").c_str()) !=
          0) {
    return absl::UnimplementedError(
        "python3-aiosmtpd is not installed (run tools/install-deps); SMTP test not run");
  }
  std::unique_ptr<SmtpSink> sink(new SmtpSink());
  auto dir = TempDir::Create("pbx-smtp");
  if (!dir.ok()) return dir.status();
  sink->dir_ = std::move(*dir);
  std::vector<std::string> tls_args;
  if (options.tls_mode != "none") {
    auto certificate = MakeTestCertificate(sink->dir_->path());
    if (!certificate.ok()) return certificate.status();
    sink->ca_file_ = certificate->cert_file;
    tls_args = {"--tls-mode",           options.tls_mode, "--cert",
                certificate->cert_file, "--key",          certificate->key_file};
  }
  // A port taken between FreeLoopbackPort() and the bind is retried with another one.
  for (int attempt = 0; attempt < 3; ++attempt) {
    sink->port_ = FreeLoopbackPort();
    std::vector<std::string> argv = {kPython,  script,
                                     "--port", absl::StrCat(sink->port_),
                                     "--dir",  sink->dir_->path() + "/mails"};
    if (!options.user.empty()) {
      argv.insert(argv.end(), {"--user", options.user, "--password", options.password});
    }
    argv.insert(argv.end(), tls_args.begin(), tls_args.end());
    auto process = ChildProcess::Spawn(argv, sink->dir_->path() + "/sink.log");
    if (!process.ok()) return process.status();
    sink->process_ = std::move(*process);
    if (WaitForPort(sink->port_, 10s, sink->process_.get()) && sink->process_->running())
      return sink;
    sink->process_.reset();
  }
  return absl::InternalError(absl::StrCat("smtp_sink.py did not start: ",
                                          ReadFileOrEmpty(sink->dir_->path() + "/sink.log")));
}

std::vector<std::string> SmtpSink::waitForMessages(size_t count,
                                                   std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<std::string> messages;
  do {
    messages.clear();
    std::string dir = dir_->path() + "/mails";
    for (size_t i = 1;; ++i) {
      char name[32];
      std::snprintf(name, sizeof(name), "/%04zu.eml", i);
      if (!fs::exists(dir + name)) break;
      messages.push_back(ReadFileOrEmpty(dir + name));
    }
    if (messages.size() >= count) break;
    std::this_thread::sleep_for(50ms);
  } while (std::chrono::steady_clock::now() < deadline);
  return messages;
}

std::string SmtpSink::envelope(size_t index) const {
  char name[32];
  std::snprintf(name, sizeof(name), "/mails/%04zu.envelope", index + 1);
  return ReadFileOrEmpty(dir_->path() + name);
}

}  // namespace pbx::fax::testing
