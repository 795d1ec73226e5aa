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
// of the whole rtpengine daemon (/proc/<pid>/stat); calls per media core is the best step's
// calls divided by the relay's CPU, in cores, over that step.
//
// Without rtpengine installed it says so loudly, measures pbxkit alone and exits 0.
//
// Usage: media-relay-bench [--threads 1,2] [--seconds S] [--first-calls N] [--max-calls N]
//                          [--peers pbxkit,rtpengine] [--rtpengine PATH] [--direct] [--quick]
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "pbx/base/logging.h"
#include "tools/bench/media-relay/load_generator.h"
#include "tools/bench/media-relay/relay_peer.h"
#include "tools/bench/media-relay/rtpengine_process.h"

namespace {

using pbx::bench::LoadGenerator;
using pbx::bench::RelayPeer;

constexpr double kMaxLoss = 1e-4;  // 0.01%

struct Options {
  std::vector<int> threads = {1, 2};
  double seconds = 5;
  size_t firstCalls = 100;
  size_t maxCalls = 3200;
  bool direct = false;  // also run each step phone to phone, without a relay
  bool pbxkit = true;
  bool rtpengine = true;
  std::string rtpengineBinary;  // "": the one in PATH
};

struct Result {
  size_t calls = 0;
  uint64_t sent = 0;
  uint64_t received = 0;
  uint64_t late = 0;
  double seconds = 0;
  double benchCpu = 0;  // this process (the load generator, plus pbxkit's relay), in cores
  double relayCpu = 0;  // the relay alone, in cores
  std::string setUpError;

  uint64_t lost() const { return sent - std::min(sent, received); }
  double lossFraction() const { return sent == 0 ? 1 : static_cast<double>(lost()) / sent; }
  bool senderShort() const { return sent / seconds < 0.95 * calls * 100; }
  // The calls whose packets came back (100 a second each), per core of relay CPU: from what
  // was relayed, not the calls asked for, so that a sender that fell short flatters no one.
  double callsPerCore() const {
    return relayCpu > 0 && seconds > 0 ? received / seconds / 100 / relayCpu : 0;
  }
  bool passed() const { return setUpError.empty() && lossFraction() < kMaxLoss && !senderShort(); }
  const char* verdict() const {
    if (!setUpError.empty()) return "SET-UP FAILED";
    if (lossFraction() >= kMaxLoss) return "LOSS";
    if (senderShort()) return "SENDER SHORT";
    return "ok";
  }
};

double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// One step: `calls` calls through `relay`, or phone to phone when it is null.
Result Run(RelayPeer* relay, size_t calls, double seconds) {
  Result result;
  result.calls = calls;
  LoadGenerator phones;
  if (!phones.open(calls)) {
    result.setUpError = "out of descriptors for the phones";
    return result;
  }
  if (relay == nullptr) {
    for (size_t i = 0; i < calls; ++i) {
      phones.setTarget(i, 0, phones.phone(i, 1));
      phones.setTarget(i, 1, phones.phone(i, 0));
    }
  } else if (absl::Status status = relay->setUp(phones, calls); !status.ok()) {
    result.setUpError = status.ToString();
    relay->tearDown();
    return result;
  }
  const double cpu0 = ProcessCpuSeconds();
  const double relay0 = relay ? relay->cpuSeconds() : 0;
  const auto t0 = std::chrono::steady_clock::now();
  phones.start();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  const double cpu1 = ProcessCpuSeconds();
  const double relay1 = relay ? relay->cpuSeconds() : 0;
  const auto t1 = std::chrono::steady_clock::now();
  phones.stop();
  if (relay != nullptr) relay->tearDown();
  result.seconds = std::chrono::duration<double>(t1 - t0).count();
  result.sent = phones.sent();
  result.received = phones.received();
  result.late = phones.lateTicks();
  result.benchCpu = (cpu1 - cpu0) / result.seconds;
  result.relayCpu = (relay1 - relay0) / result.seconds;
  return result;
}

void PrintHeader() {
  fmt::print("{:>7} {:<9} {:>6} {:>9} {:>9} {:>7} {:>8} {:>5} {:>10} {:>10}  {}\n", "threads",
             "relay", "calls", "sent/s", "back/s", "lost", "loss", "late", "cpu(bench)",
             "cpu(relay)", "verdict");
}

void Print(int threads, const std::string& what, const Result& r) {
  if (!r.setUpError.empty()) {
    fmt::print("{:>7} {:<9} {:>6} set-up failed: {}\n", threads, what, r.calls, r.setUpError);
    return;
  }
  fmt::print("{:>7} {:<9} {:>6} {:>9.0f} {:>9.0f} {:>7} {:>7.4f}% {:>5} {:>9.1f}% {:>9.1f}%  {}\n",
             threads, what, r.calls, r.sent / r.seconds, r.received / r.seconds, r.lost(),
             100 * r.lossFraction(), r.late, 100 * r.benchCpu, 100 * r.relayCpu, r.verdict());
  std::fflush(stdout);
}

struct Search {
  std::string relay;
  int threads = 0;
  Result best;                      // calls == 0: no step passed
  Result firstFailed;               // calls == 0: every step passed
  std::map<size_t, Result> passed;  // by calls
  double callsPerCore() const { return best.callsPerCore(); }
};

// Steps every relay up together: at each step each relay still passing runs in turn, so that
// both see the machine in the same state; one that fails stops stepping up. Then two rounds
// of bisection, each relay between its own last pass and first failure.
std::vector<Search> StepUp(const std::vector<RelayPeer*>& relays, int threads,
                           const Options& options) {
  std::vector<Search> searches(relays.size());
  auto record = [&](size_t i, const Result& r) {
    Search& search = searches[i];
    Print(threads, relays[i]->name(), r);
    if (r.passed()) {
      search.passed[r.calls] = r;
      if (r.calls > search.best.calls) search.best = r;
    } else if (search.firstFailed.calls == 0 || r.calls < search.firstFailed.calls) {
      search.firstFailed = r;
    }
  };
  for (size_t i = 0; i < relays.size(); ++i) {
    searches[i].relay = relays[i]->name();
    searches[i].threads = threads;
  }
  for (size_t calls = options.firstCalls; calls <= options.maxCalls; calls *= 2) {
    if (options.direct) Print(threads, "direct", Run(nullptr, calls, options.seconds));
    bool stepped = false;
    for (size_t i = 0; i < relays.size(); ++i) {
      if (searches[i].firstFailed.calls != 0) continue;
      record(i, Run(relays[i], calls, options.seconds));
      stepped = true;
    }
    if (!stepped) break;
  }
  for (int round = 0; round < 2; ++round) {
    for (size_t i = 0; i < relays.size(); ++i) {
      const Search& search = searches[i];
      if (search.firstFailed.calls == 0 || search.best.calls == 0) continue;
      const size_t calls = (search.best.calls + search.firstFailed.calls) / 2;
      if (calls != search.best.calls) record(i, Run(relays[i], calls, options.seconds));
    }
  }
  return searches;
}

const char* Limit(const Search& s) {
  if (s.firstFailed.calls == 0) return "- (largest step passed)";
  if (!s.firstFailed.setUpError.empty()) return "set-up";
  if (s.firstFailed.lossFraction() >= kMaxLoss) return "loss";
  return "sender short";
}

void PrintSummary(const std::vector<Search>& searches) {
  fmt::print(
      "\nsummary: the most calls with < 0.01% loss; calls per media core = packets/s relayed "
      "in that step / 100 / the relay's CPU in cores\n");
  fmt::print("{:>7} {:<9} {:>6} {:>11} {:>10} {:>11} {:>14}  {}\n", "threads", "relay", "calls",
             "first fail", "cpu(relay)", "calls/core", "%core/1000pps", "failed on");
  for (const Search& s : searches) {
    const Result& b = s.best;
    const double pps = b.seconds > 0 ? b.received / b.seconds : 0;
    fmt::print("{:>7} {:<9} {:>6} {:>11} {:>9.1f}% {:>11.0f} {:>14.3f}  {}\n", s.threads, s.relay,
               b.calls,
               s.firstFailed.calls ? std::to_string(s.firstFailed.calls) : std::string("-"),
               100 * b.relayCpu, s.callsPerCore(), pps > 0 ? 100 * b.relayCpu / (pps / 1000) : 0,
               Limit(s));
  }
  for (const Search& p : searches) {
    if (p.relay != "pbxkit") continue;
    for (const Search& r : searches) {
      if (r.relay != "rtpengine" || r.threads != p.threads) continue;
      if (p.callsPerCore() > 0 && r.callsPerCore() > 0) {
        const double ratio = p.callsPerCore() / r.callsPerCore();
        fmt::print(
            "{} thread(s): pbxkit / rtpengine, calls per media core: {:.2f}x ({} the "
            "1.5x aim); most clean calls: {} / {}\n",
            p.threads, ratio, ratio >= 1.5 ? "meets" : "BELOW", p.best.calls, r.best.calls);
      }
      // The same load on both: relay CPU at the largest step both passed.
      for (auto it = p.passed.rbegin(); it != p.passed.rend(); ++it) {
        auto other = r.passed.find(it->first);
        if (other == r.passed.end() || other->second.callsPerCore() <= 0) continue;
        fmt::print(
            "{} thread(s): at {} calls (both clean) relay CPU pbxkit {:.1f}%, rtpengine "
            "{:.1f}%; calls per media core {:.0f} / {:.0f}: {:.2f}x\n",
            p.threads, it->first, 100 * it->second.relayCpu, 100 * other->second.relayCpu,
            it->second.callsPerCore(), other->second.callsPerCore(),
            it->second.callsPerCore() / other->second.callsPerCore());
        break;
      }
    }
  }
}

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
      options->seconds = std::atof(argv[++i]);
    } else if (arg == "--first-calls" && hasValue) {
      options->firstCalls = std::max<size_t>(1, std::strtoul(argv[++i], nullptr, 10));
    } else if (arg == "--max-calls" && hasValue) {
      options->maxCalls = std::strtoul(argv[++i], nullptr, 10);
    } else if (arg == "--peers" && hasValue) {
      const std::string peers = argv[++i];
      options->pbxkit = peers.find("pbxkit") != std::string::npos;
      options->rtpengine = peers.find("rtpengine") != std::string::npos;
    } else if (arg == "--rtpengine" && hasValue) {
      options->rtpengineBinary = argv[++i];
    } else if (arg == "--direct") {
      options->direct = true;
    } else if (arg == "--quick") {
      options->seconds = 2, options->maxCalls = 400, options->threads = {1};
    } else {
      return false;
    }
  }
  return options->seconds > 0 && (options->pbxkit || options->rtpengine);
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!ParseArgs(argc, argv, &options)) {
    fmt::print(stderr,
               "usage: {} [--threads 1,2] [--seconds S] [--first-calls N] [--max-calls N] "
               "[--peers pbxkit,rtpengine] [--rtpengine PATH] [--direct] [--quick]\n",
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
      std::thread::hardware_concurrency(), options.seconds);
  if (options.rtpengine) {
    fmt::print("peer: {} {} (userspace forwarding, --table=-1)\n", rtpengine,
               pbx::bench::RtpengineProcess::Version(rtpengine));
  }
  fmt::print(
      "(late: 20 ms ticks the sender fell behind on; cpu in % of one core; cpu(relay): "
      "pbxkit's media threads, or the whole rtpengine process)\n");
  PrintHeader();

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
    for (Search& search : StepUp(peers, threads, options)) {
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
  PrintSummary(searches);
  if (skippedRtpengine) fmt::print("\n*** media-relay: the rtpengine comparison was SKIPPED ***\n");
  return status;
}
