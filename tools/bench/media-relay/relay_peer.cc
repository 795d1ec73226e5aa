#include "tools/bench/media-relay/relay_peer.h"

#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "pbx/media/media_engine.h"
#include "tools/bench/media-relay/rtpengine_process.h"

namespace pbx::bench {
namespace {

// Both relays live side by side during a run, and pbxkit keeps a torn-down relay's sockets
// bound for reuse, so each gets a range of its own (3,300 calls at four ports a call), below
// the kernel's ephemeral range (32768-60999) where the phones' sockets live.
constexpr uint16_t kPbxkitPortMin = 6000;
constexpr uint16_t kPbxkitPortMax = 19399;
constexpr uint16_t kRtpenginePortMin = 19400;
constexpr uint16_t kRtpenginePortMax = 32767;

// CPU seconds of this process's threads named pbx-media-*.
double MediaThreadCpuSeconds() {
  double total = 0;
  DIR* tasks = opendir("/proc/self/task");
  if (tasks == nullptr) return 0;
  while (dirent* entry = readdir(tasks)) {
    if (entry->d_name[0] == '.') continue;
    const std::string dir = std::string("/proc/self/task/") + entry->d_name;
    std::ifstream comm(dir + "/comm");
    std::string name;
    std::getline(comm, name);
    if (name.rfind("pbx-media-", 0) != 0) continue;
    std::ifstream statFile(dir + "/stat");
    std::string stat((std::istreambuf_iterator<char>(statFile)), {});
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));
    std::string field;
    unsigned long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {
      if (i == 14) utime = std::stoul(field);
      if (i == 15) stime = std::stoul(field);
    }
    total += static_cast<double>(utime + stime) / sysconf(_SC_CLK_TCK);
  }
  closedir(tasks);
  return total;
}

class PbxkitRelay : public RelayPeer {
 public:
  explicit PbxkitRelay(media::MediaEnginePtr engine) : engine_(std::move(engine)) {}
  ~PbxkitRelay() override { tearDown(); }
  std::string name() const override { return "pbxkit"; }

  absl::Status setUp(LoadGenerator& phones, size_t calls) override {
    for (size_t i = 0; i < calls; ++i) {
      auto relay = engine_->createRelay({});
      if (!relay.ok()) return relay.status();
      (*relay)->setRemote(media::RelaySide::kA, phones.phone(i, 0));
      (*relay)->setRemote(media::RelaySide::kB, phones.phone(i, 1));
      phones.setTarget(i, 0, (*relay)->localAddress(media::RelaySide::kA));
      phones.setTarget(i, 1, (*relay)->localAddress(media::RelaySide::kB));
      relays_.push_back(std::move(*relay));
    }
    return absl::OkStatus();
  }
  void tearDown() override { relays_.clear(); }
  double cpuSeconds() const override { return MediaThreadCpuSeconds(); }

 private:
  media::MediaEnginePtr engine_;
  std::vector<media::RtpRelayPtr> relays_;
};

std::string PhoneSdp(const SocketAddress& phone, size_t call) {
  return absl::StrCat("v=0\r\no=- ", call + 1, " 1 IN IP4 ", phone.ip(), "\r\ns=-\r\nc=IN IP4 ",
                      phone.ip(), "\r\nt=0 0\r\nm=audio ", phone.port(),
                      " RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n");
}

// Where the SDP that rtpengine returned asks for the media: its c= address and m=audio port.
absl::StatusOr<SocketAddress> MediaAddress(const std::string& sdp) {
  std::string ip;
  uint32_t port = 0;
  std::istringstream lines(sdp);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("c=IN IP4 ", 0) == 0) ip = line.substr(9);
    if (line.rfind("m=audio ", 0) == 0) {
      const std::string rest = line.substr(8);
      if (!absl::SimpleAtoi(rest.substr(0, rest.find(' ')), &port) || port > 65535) port = 0;
    }
  }
  if (ip.empty() || port == 0) return absl::InvalidArgumentError("no media address in: " + sdp);
  return SocketAddress::Parse(ip, static_cast<uint16_t>(port));
}

class RtpengineRelay : public RelayPeer {
 public:
  explicit RtpengineRelay(std::unique_ptr<RtpengineProcess> process)
      : process_(std::move(process)) {}
  ~RtpengineRelay() override { tearDown(); }
  std::string name() const override { return "rtpengine"; }

  absl::Status setUp(LoadGenerator& phones, size_t calls) override {
    NgClient& ng = process_->ng();
    for (size_t i = 0; i < calls; ++i) {
      const std::string callId = absl::StrCat("bench-", ++callSerial_);
      callIds_.push_back(callId);
      // offer: rtpengine's answer is the SDP for B, i.e. where B must send.
      auto forB = ng.offer(callId, "a", PhoneSdp(phones.phone(i, 0), i));
      if (!forB.ok()) return forB.status();
      auto forA = ng.answer(callId, "a", "b", PhoneSdp(phones.phone(i, 1), i));
      if (!forA.ok()) return forA.status();
      auto toB = MediaAddress(*forB);
      auto toA = MediaAddress(*forA);
      if (!toA.ok()) return toA.status();
      if (!toB.ok()) return toB.status();
      phones.setTarget(i, 0, *toA);
      phones.setTarget(i, 1, *toB);
    }
    return absl::OkStatus();
  }
  void tearDown() override {
    for (const std::string& callId : callIds_) process_->ng().deleteCall(callId, "a").IgnoreError();
    callIds_.clear();
  }
  double cpuSeconds() const override { return process_->cpuSeconds(); }

 private:
  std::unique_ptr<RtpengineProcess> process_;
  std::vector<std::string> callIds_;
  size_t callSerial_ = 0;
};

}  // namespace

absl::StatusOr<RelayPeerPtr> CreatePbxkitRelay(int threads) {
  media::MediaEngineOptions options;
  options.portMin = kPbxkitPortMin;
  options.portMax = kPbxkitPortMax;
  options.threads = threads;
  auto engine = media::CreateMediaEngine(options);
  if (!engine.ok()) return engine.status();
  return std::make_unique<PbxkitRelay>(std::move(*engine));
}

absl::StatusOr<RelayPeerPtr> CreateRtpengineRelay(const std::string& binary, int threads,
                                                  const std::string& logPath) {
  RtpengineOptions options;
  options.binary = binary;
  options.threads = threads;
  options.portMin = kRtpenginePortMin;
  options.portMax = kRtpenginePortMax;
  options.logPath = logPath;
  auto process = RtpengineProcess::Start(options);
  if (!process.ok()) return process.status();
  return std::make_unique<RtpengineRelay>(std::move(*process));
}

}  // namespace pbx::bench
