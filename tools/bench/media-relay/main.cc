// media-relay-bench: how many concurrent G.711 calls an RTP relay carries with under 0.01%
// packet loss, and how many per core of relay CPU: pbxkit's relay against rtpengine (Debian's
// rtpengine-daemon, forwarding in userspace, calls set up through its ng protocol), both fed
// by the same load generator in this process.
//
// For each number of media threads (--threads, default 1 and 2; rtpengine gets the same
// --num-threads) it steps the calls up (100, 200, 400, ... to --max-calls), both relays in
// turn at each step so that both meet the shared machine in the same state, then two rounds
// of bisection for each relay between its last step that passed and its first that failed.
// In each step two loopback "phones" per call send 172-byte packets every 20 ms through the
// relay, 50 packets/s each way, for --seconds. A step passes when under 0.01% of the packets
// sent did not come back and the sender offered at least 95% of the nominal rate (on a full
// machine it cannot). The relay's CPU is that of pbxkit's media threads (/proc/self/task) or
// of the whole rtpengine daemon (/proc/<pid>/stat); calls per media core is the packets/s
// relayed over that step / 100 (a call's two streams) / the relay's CPU in cores. As one step's
// CPU is noisy on a shared machine, the relays then run in turn --rounds times at the largest
// step both passed, and the medians of those rounds give the second ratio.
//
// Without rtpengine installed it says so loudly, measures pbxkit alone and exits 0.
//
// Usage: media-relay-bench [--threads 1,2] [--seconds S] [--first-calls N] [--max-calls N]
//                          [--rounds N] [--peers pbxkit,rtpengine] [--rtpengine PATH] [--direct]
//                          [--quick]
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "pbx/base/logging.h"
#include "tools/bench/media-relay/relay_peer.h"
#include "tools/bench/media-relay/rtpengine_process.h"
#include "tools/bench/media-relay/step_search.h"

namespace {

using pbx::bench::RelayPeer;
using pbx::bench::Search;

struct Options {
  std::vector<int> threads = {1, 2};
  pbx::bench::StepPlan plan;
  bool pbxkit = true;
  bool rtpengine = true;
  std::string rtpengineBinary;  // "": the one in PATH
};

bool ParseArgs(int argc, char** argv, Options* options) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool hasValue = i + 1 < argc;
    if (arg == "--threads" && hasValue) {
      options->threads.clear();
      for (const std::string& part : std::vector<std::string>(absl::StrSplit(argv[++i], ','))) {
        int n = 0;
        if (!absl::SimpleAtoi(part, &n) || n < 1) return false;
        options->threads.push_back(n);
      }
    } else if (arg == "--seconds" && hasValue) {
      options->plan.seconds = std::atof(argv[++i]);
    } else if (arg == "--first-calls" && hasValue) {
      options->plan.firstCalls = std::max<size_t>(1, std::strtoul(argv[++i], nullptr, 10));
    } else if (arg == "--max-calls" && hasValue) {
      options->plan.maxCalls = std::strtoul(argv[++i], nullptr, 10);
    } else if (arg == "--rounds" && hasValue) {
      options->plan.pairedRounds = std::atoi(argv[++i]);
    } else if (arg == "--peers" && hasValue) {
      const std::string peers = argv[++i];
      options->pbxkit = peers.find("pbxkit") != std::string::npos;
      options->rtpengine = peers.find("rtpengine") != std::string::npos;
    } else if (arg == "--rtpengine" && hasValue) {
      options->rtpengineBinary = argv[++i];
    } else if (arg == "--direct") {
      options->plan.direct = true;
    } else if (arg == "--quick") {
      options->plan.seconds = 2, options->plan.maxCalls = 400, options->threads = {1};
      options->plan.pairedRounds = 1;
    } else {
      return false;
    }
  }
  return options->plan.seconds > 0 && (options->pbxkit || options->rtpengine);
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!ParseArgs(argc, argv, &options)) {
    fmt::print(stderr,
               "usage: {} [--threads 1,2] [--seconds S] [--first-calls N] [--max-calls N] "
               "[--rounds N] [--peers pbxkit,rtpengine] [--rtpengine PATH] [--direct] "
               "[--quick]\n",
               argv[0]);
    return 2;
  }
  pbx::SetLogLevel(pbx::LogLevel::kWarning);
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;  // rtpengine inherits it too
  setrlimit(RLIMIT_NOFILE, &files);

  std::string rtpengine;
  bool skippedRtpengine = false;
  if (options.rtpengine) {
    rtpengine = options.rtpengineBinary.empty() ? pbx::bench::RtpengineProcess::Find()
                                                : options.rtpengineBinary;
    if (rtpengine.empty() || access(rtpengine.c_str(), X_OK) != 0) {
      fmt::print(
          "\n*** media-relay: rtpengine is NOT installed (apt-get install rtpengine-daemon, or "
          "tools/install-deps): SKIPPING the rtpengine comparison, measuring pbxkit alone ***\n\n");
      options.rtpengine = false;
      skippedRtpengine = true;
      if (!options.pbxkit) return 0;
    }
  }
  fmt::print(
      "media-relay bench: {} CPUs, {:.0f} s per step; G.711 20 ms streams (172-byte packets, "
      "50 pps each way per call); pass: loss < 0.01% and >= 95% of the rate offered\n",
      std::thread::hardware_concurrency(), options.plan.seconds);
  if (options.rtpengine) {
    fmt::print("peer: {} {} (userspace forwarding, --table=-1)\n", rtpengine,
               pbx::bench::RtpengineProcess::Version(rtpengine));
  }
  fmt::print(
      "(late: 20 ms ticks the sender fell behind on; cpu in % of one core; cpu(relay): "
      "pbxkit's media threads, or the whole rtpengine process)\n");
  pbx::bench::PrintStepHeader();

  std::vector<Search> searches;
  int status = 0;
  for (const int threads : options.threads) {
    std::vector<pbx::bench::RelayPeerPtr> relays;
    if (options.pbxkit) {
      auto relay = pbx::bench::CreatePbxkitRelay(threads);
      if (!relay.ok()) {
        fmt::print(stderr, "pbxkit media engine: {}\n", relay.status().ToString());
        return 1;
      }
      relays.push_back(std::move(*relay));
    }
    const std::string log =
        fmt::format("/tmp/media-relay-bench-{}-rtpengine-{}.log", getpid(), threads);
    if (options.rtpengine) {
      auto relay = pbx::bench::CreateRtpengineRelay(rtpengine, threads, log);
      if (!relay.ok()) {
        fmt::print(stderr, "rtpengine: {}\n", relay.status().ToString());
        return 1;
      }
      relays.push_back(std::move(*relay));
    }
    std::vector<RelayPeer*> peers;
    for (const auto& relay : relays) peers.push_back(relay.get());
    std::vector<Search> found = pbx::bench::StepUp(peers, threads, options.plan);
    pbx::bench::MeasurePaired(peers, threads, options.plan, &found);
    for (Search& search : found) {
      if (search.relay == "pbxkit" && search.best.calls == 0) status = 1;
      if (search.relay == "rtpengine") {
        if (search.best.calls == 0 || std::getenv("KEEP_RTPENGINE_LOG") != nullptr) {
          fmt::print("rtpengine's log: {}\n", log);
        } else {
          unlink(log.c_str());
        }
      }
      searches.push_back(std::move(search));
    }
    relays.clear();  // stops the rtpengine daemon
  }
  pbx::bench::PrintSummary(searches);
  if (skippedRtpengine) fmt::print("\n*** media-relay: the rtpengine comparison was SKIPPED ***\n");
  return status;
}
