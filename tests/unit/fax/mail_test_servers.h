// Real mail servers for the fax mail tests, started on 127.0.0.1 with free ports and
// stopped by PID when the owning object dies (also when a CHECK fails mid-test):
//  - SmtpSink (mail_test_smtp_sink.cc): tests/support/smtp_sink.py (python3-aiosmtpd),
//    saving each message to a directory;
//  - DovecotServer (mail_test_dovecot.cc): Debian's dovecot with a throwaway config in a
//    temp dir, run unprivileged ("nobody" when the tests run as root), IMAP and POP3.
// Processes, temp dirs and ports: mail_test_process.cc.
//
//   auto sink = SmtpSink::Start();
//   if (!sink.ok() && SkipOrFail(sink.status())) return;
//   ... send to (*sink)->port() ...
//   std::vector<std::string> mails = (*sink)->waitForMessages(1);
//
// Start() returns kUnimplemented when the server is not installed (the test then prints
// "SKIPPED: ..." and passes), any other error when it is installed but would not start.
// Thread-safety: test-thread only.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/unit/free_port.h"

namespace pbx::fax::testing {

// A fresh directory under $TMPDIR, removed with its content on destruction (kept when the
// environment variable PBX_KEEP_TEST_DIRS is set).
class TempDir {
 public:
  static absl::StatusOr<std::unique_ptr<TempDir>> Create(const std::string& prefix);
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// A child process; SIGTERM (then SIGKILL after 5 s) to its PID on destruction.
class ChildProcess {
 public:
  // stdout and stderr go to `log_path`.
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Spawn(const std::vector<std::string>& argv,
                                                             const std::string& log_path);
  ~ChildProcess();
  pid_t pid() const { return pid_; }
  bool running();

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_;
  bool reaped_ = false;
};

// A self-signed certificate for CN and subjectAltName 127.0.0.1, made with the openssl
// command in `dir`: {cert.pem path, key.pem path}. kUnimplemented without openssl.
struct TestCertificate {
  std::string cert_file;
  std::string key_file;
};
absl::StatusOr<TestCertificate> MakeTestCertificate(const std::string& dir);

using pbx::testing::FreeLoopbackPort;  // tests/unit/free_port.h
class ChildProcess;
// True once 127.0.0.1:port accepts connections; false after `timeout`, or as soon as
// `server` (when given) has exited.
bool WaitForPort(uint16_t port, std::chrono::milliseconds timeout, ChildProcess* server = nullptr);
std::string ReadFileOrEmpty(const std::string& path);
void WriteFile(const std::string& path, const std::string& content);

struct SmtpSinkOptions {
  std::string user;  // non-empty: AUTH required with user/password
  std::string password;
  std::string tls_mode = "none";  // "none", "starttls" (required) or "implicit"
};

class SmtpSink {
 public:
  static absl::StatusOr<std::unique_ptr<SmtpSink>> Start(const SmtpSinkOptions& options = {});
  // The CA file that verifies the sink's certificate (TLS modes).
  const std::string& caFile() const { return ca_file_; }
  uint16_t port() const { return port_; }
  // The raw messages received so far, oldest first; waits until there are `count`.
  std::vector<std::string> waitForMessages(
      size_t count, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // "MAIL FROM\nRCPT1\n..." of message `index` (0-based).
  std::string envelope(size_t index) const;

 private:
  SmtpSink() = default;
  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<ChildProcess> process_;  // declared after dir_: stopped before it is removed
  uint16_t port_ = 0;
  std::string ca_file_;
};

class DovecotServer {
 public:
  static constexpr const char* kUser = "faxbox";
  static constexpr const char* kPassword = "box-secret";

  // `tls`: also serve STARTTLS and IMAPS/POP3S with a self-signed certificate.
  static absl::StatusOr<std::unique_ptr<DovecotServer>> Start(bool tls = false);
  uint16_t imapPort() const { return imap_port_; }
  uint16_t pop3Port() const { return pop3_port_; }
  uint16_t imapsPort() const { return imaps_port_; }
  uint16_t pop3sPort() const { return pop3s_port_; }
  const std::string& caFile() const { return ca_file_; }
  // Drops a message into the user's INBOX (maildir "new").
  void deliver(const std::string& raw_message);
  // Number of messages in an IMAP folder ("INBOX" or a subfolder name), from the maildir.
  size_t messageCount(const std::string& folder) const;
  // Number of messages in the INBOX with the maildir "seen" flag.
  size_t seenCount() const;
  std::string log() const;

 private:
  DovecotServer() = default;
  std::string folderPath(const std::string& folder) const;
  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<ChildProcess> process_;
  std::string mail_root_;
  uid_t uid_ = 0;
  gid_t gid_ = 0;
  int delivered_ = 0;
  uint16_t imap_port_ = 0;
  uint16_t pop3_port_ = 0;
  uint16_t imaps_port_ = 0;
  uint16_t pop3s_port_ = 0;
  std::string ca_file_;
};

// Prints a loud skip line for a server that is not installed; returns true when the test
// should stop. FAILs the test when the server is installed but did not start.
bool SkipOrFail(const absl::Status& status);

}  // namespace pbx::fax::testing
