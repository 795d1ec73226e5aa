// Test processes, temp dirs and ports for the fax mail tests (see mail_test_servers.h).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "tests/unit/fax/mail_test_servers.h"

namespace pbx::fax::testing {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
}

absl::StatusOr<std::unique_ptr<TempDir>> TempDir::Create(const std::string& prefix) {
  std::string tmpl = (fs::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (mkdtemp(tmpl.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("mkdtemp ", tmpl, " failed"));
  }
  return std::unique_ptr<TempDir>(new TempDir(tmpl));
}

TempDir::~TempDir() {
  if (std::getenv("PBX_KEEP_TEST_DIRS") != nullptr) return;
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

absl::StatusOr<std::unique_ptr<ChildProcess>> ChildProcess::Spawn(
    const std::vector<std::string>& argv, const std::string& log_path) {
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log >= 0) {
      dup2(log, STDOUT_FILENO);
      dup2(log, STDERR_FILENO);
      close(log);
    }
    execv(args[0], args.data());
    _exit(127);
  }
  return std::unique_ptr<ChildProcess>(new ChildProcess(pid));
}

bool ChildProcess::running() {
  if (reaped_) return false;
  int status;
  if (waitpid(pid_, &status, WNOHANG) == pid_) reaped_ = true;
  return !reaped_;
}

ChildProcess::~ChildProcess() {
  if (!running()) return;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 100 && running(); ++i) std::this_thread::sleep_for(50ms);
  if (running()) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

absl::StatusOr<TestCertificate> MakeTestCertificate(const std::string& dir) {
  if (!fs::exists("/usr/bin/openssl")) {
    return absl::UnimplementedError("openssl is not installed; TLS test not run");
  }
  TestCertificate certificate{dir + "/cert.pem", dir + "/key.pem"};
  std::string command = absl::StrCat(
      "/usr/bin/openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 "
      "-addext subjectAltName=IP:127.0.0.1 -keyout ",
      certificate.key_file, " -out ", certificate.cert_file, " >", dir, "/openssl.log 2>&1");
  if (std::system(command.c_str()) != 0) {
    return absl::InternalError("openssl could not make a certificate: " +
                               ReadFileOrEmpty(dir + "/openssl.log"));
  }
  return certificate;
}

bool WaitForPort(uint16_t port, std::chrono::milliseconds timeout, ChildProcess* server) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    close(fd);
    if (ok) return true;
    if (server != nullptr && !server->running()) return false;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

bool SkipOrFail(const absl::Status& status) {
  if (absl::IsUnimplemented(status)) {
    std::fprintf(stderr, "\n*** SKIPPED: %s ***\n\n", std::string(status.message()).c_str());
    MESSAGE("SKIPPED: " << std::string(status.message()));
    return true;
  }
  FAIL("could not start the test server: " << status.ToString());
  return true;
}

}  // namespace pbx::fax::testing
