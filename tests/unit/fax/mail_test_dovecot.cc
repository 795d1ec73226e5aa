// DovecotServer: Debian's dovecot with a throwaway config, run unprivileged on 127.0.0.1.
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "tests/unit/fax/mail_test_servers.h"

namespace pbx::fax::testing {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr const char* kDovecot = "/usr/sbin/dovecot";
constexpr const char* kSetpriv = "/usr/bin/setpriv";

// Rootless Dovecot (doc.dovecot.org "rootless installation"): no chroots, every service
// user is the one the master runs as. Port 0 disables a listener.
constexpr const char* kConfigTemplate = R"(# throwaway config written by pbxkit's mail tests
protocols = imap pop3
listen = 127.0.0.1
base_dir = $ROOT/run
state_dir = $ROOT/state
log_path = $ROOT/dovecot.log
$SSL
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = $LOGIN_USER
default_internal_user = $LOGIN_USER
default_internal_group = $LOGIN_GROUP
first_valid_uid = 1
mail_location = maildir:$ROOT/mail/%u
pop3_uidl_format = %08Xu%08Xv
namespace inbox {
  inbox = yes
  separator = .
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $ROOT/users
}
userdb {
  driver = passwd-file
  args = username_format=%u $ROOT/users
}
service anvil {
  chroot =
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $IMAPS_PORT
  }
}
service pop3-login {
  chroot =
  inet_listener pop3 {
    address = 127.0.0.1
    port = $POP3_PORT
  }
  inet_listener pop3s {
    address = 127.0.0.1
    port = $POP3S_PORT
  }
}
service submission-login {
  inet_listener submission {
    port = 0
  }
}
)";

void ChownTree(const std::string& root, uid_t uid, gid_t gid) {
  if (chown(root.c_str(), uid, gid) != 0) return;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (chown(entry.path().c_str(), uid, gid) != 0) return;
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<DovecotServer>> DovecotServer::Start(bool tls) {
  if (!fs::exists(kDovecot)) {
    return absl::UnimplementedError(
        "dovecot-imapd/dovecot-pop3d are not installed (run tools/install-deps); IMAP/POP3 "
        "test not run");
  }
  std::unique_ptr<DovecotServer> server(new DovecotServer());
  auto dir = TempDir::Create("pbx-dovecot");
  if (!dir.ok()) return dir.status();
  server->dir_ = std::move(*dir);
  const std::string root = server->dir_->path();

  // Run unprivileged: as ourselves, or as "nobody" when the tests run as root.
  std::string login_user;
  std::string login_group;
  bool as_root = geteuid() == 0;
  if (as_root) {
    passwd* nobody = getpwnam("nobody");
    if (nobody == nullptr) return absl::InternalError("no user \"nobody\"");
    server->uid_ = nobody->pw_uid;
    server->gid_ = nobody->pw_gid;
    login_user = "nobody";
  } else {
    passwd* me = getpwuid(geteuid());
    if (me == nullptr) return absl::InternalError("cannot resolve the current user");
    server->uid_ = me->pw_uid;
    server->gid_ = me->pw_gid;
    login_user = me->pw_name;
  }
  group* login_gr = getgrgid(server->gid_);
  if (login_gr == nullptr) return absl::InternalError("cannot resolve the login group");
  login_group = login_gr->gr_name;
  server->mail_root_ = root + "/mail/" + kUser;
  for (const char* sub : {"/run", "/state", "/mail"}) fs::create_directories(root + sub);
  for (const char* sub : {"/cur", "/new", "/tmp"}) fs::create_directories(server->mail_root_ + sub);

  std::string ssl_config = "ssl = no";
  if (tls) {
    auto certificate = MakeTestCertificate(root);
    if (!certificate.ok()) return certificate.status();
    server->ca_file_ = certificate->cert_file;
    ssl_config = absl::StrCat("ssl = yes\nssl_cert = <", certificate->cert_file, "\nssl_key = <",
                              certificate->key_file);
  }
  WriteFile(root + "/users", absl::StrCat(kUser, ":{PLAIN}", kPassword, ":", server->uid_, ":",
                                          server->gid_, "::", server->mail_root_, "::\n"));
  std::vector<std::string> argv;
  if (as_root) {
    if (!fs::exists(kSetpriv)) return absl::InternalError("setpriv (util-linux) is missing");
    argv = {kSetpriv, absl::StrCat("--reuid=", server->uid_),
            absl::StrCat("--regid=", server->gid_), "--clear-groups"};
  }
  argv.insert(argv.end(), {kDovecot, "-F", "-c", root + "/dovecot.conf"});

  // A port taken between FreeLoopbackPort() and Dovecot's bind is retried with new ones.
  for (int attempt = 0; attempt < 3; ++attempt) {
    server->imap_port_ = FreeLoopbackPort();
    server->pop3_port_ = FreeLoopbackPort();
    server->imaps_port_ = tls ? FreeLoopbackPort() : 0;
    server->pop3s_port_ = tls ? FreeLoopbackPort() : 0;
    WriteFile(
        root + "/dovecot.conf",
        absl::StrReplaceAll(kConfigTemplate, {{"$ROOT", root},
                                              {"$SSL", ssl_config},
                                              {"$LOGIN_USER", login_user},
                                              {"$LOGIN_GROUP", login_group},
                                              {"$IMAP_PORT", absl::StrCat(server->imap_port_)},
                                              {"$IMAPS_PORT", absl::StrCat(server->imaps_port_)},
                                              {"$POP3_PORT", absl::StrCat(server->pop3_port_)},
                                              {"$POP3S_PORT", absl::StrCat(server->pop3s_port_)}}));
    if (as_root) ChownTree(root, server->uid_, server->gid_);
    auto process = ChildProcess::Spawn(argv, root + "/dovecot.stderr");
    if (!process.ok()) return process.status();
    server->process_ = std::move(*process);
    ChildProcess* dovecot = server->process_.get();
    bool up = WaitForPort(server->imap_port_, 10s, dovecot) &&
              WaitForPort(server->pop3_port_, 10s, dovecot) &&
              (!tls || (WaitForPort(server->imaps_port_, 10s, dovecot) &&
                        WaitForPort(server->pop3s_port_, 10s, dovecot)));
    if (up && server->process_->running()) return server;
    server->process_.reset();
  }
  return absl::InternalError(absl::StrCat(
      "dovecot did not start: ", ReadFileOrEmpty(root + "/dovecot.stderr"), server->log()));
}

void DovecotServer::deliver(const std::string& raw_message) {
  std::string name = absl::StrCat("1700000000.M", ++delivered_, "P", getpid(), ".pbxtest");
  std::string tmp = mail_root_ + "/tmp/" + name;
  WriteFile(tmp, raw_message);
  if (geteuid() == 0 && chown(tmp.c_str(), uid_, gid_) != 0) return;
  fs::rename(tmp, mail_root_ + "/new/" + name);
}

std::string DovecotServer::folderPath(const std::string& folder) const {
  return folder == "INBOX" ? mail_root_ : mail_root_ + "/." + folder;
}

size_t DovecotServer::messageCount(const std::string& folder) const {
  size_t count = 0;
  for (const char* sub : {"/cur", "/new"}) {
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(folderPath(folder) + sub, error)) {
      (void)entry;
      ++count;
    }
  }
  return count;
}

size_t DovecotServer::seenCount() const {
  size_t count = 0;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(mail_root_ + "/cur", error)) {
    std::string name = entry.path().filename().string();
    size_t info = name.find(":2,");
    if (info != std::string::npos && name.find('S', info) != std::string::npos) ++count;
  }
  return count;
}

std::string DovecotServer::log() const { return ReadFileOrEmpty(dir_->path() + "/dovecot.log"); }

}  // namespace pbx::fax::testing
