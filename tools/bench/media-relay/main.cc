// media-relay-bench: how many G.711 calls the RTP relay carries without loss, and at what CPU.
//
// For each step (100, 200, 400, ... calls) it sets up that many relays, and two loopback
// "phones" per call sending 172-byte packets every 20 ms through them (50 packets/s each way),
// for a few seconds. It prints packets/s relayed, lost packets, the CPU time of the process
// (getrusage) and of the media threads alone (/proc/self/task), next to the same load sent
// phone-to-phone without the relay (the peer run: what the load generator itself costs).
//
// Usage: media-relay-bench [--threads N] [--seconds S] [--max-calls N] [--quick]
#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "pbx/base/logging.h"
#include "pbx/media/media_engine.h"
#include "tools/bench/media-relay/load_generator.h"

namespace {

using pbx::bench::LoadGenerator;
using pbx::media::RelaySide;

struct Options {
  int threads = 1;
  double seconds = 5;
  size_t maxCalls = 3200;
};

struct Result {
  size_t calls = 0;
  uint64_t sent = 0;
  uint64_t received = 0;
  uint64_t relayed = 0;
  uint64_t late = 0;
  double seconds = 0;
  double processCpu = 0;  // fraction of one core
  double mediaCpu = 0;
  bool ok = false;
  // Lost packets, or a sender that could not offer the nominal rate (a busy machine): either
  // way the step does not count as sustained.
  bool loss() const { return received < sent || sent / seconds < 0.95 * calls * 100; }
};

double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// CPU seconds of the threads named pbx-media-*.
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

Result Run(pbx::media::MediaEngine* engine, size_t calls, double seconds) {
  Result result;
  result.calls = calls;
  LoadGenerator phones;
  if (!phones.open(calls)) return result;
  std::vector<pbx::media::RtpRelayPtr> relays;
  for (size_t i = 0; i < calls; ++i) {
    if (engine == nullptr) {  // peer run: phone to phone
      phones.setTarget(i, 0, phones.phone(i, 1));
      phones.setTarget(i, 1, phones.phone(i, 0));
      continue;
    }
    auto relay = engine->createRelay({});
    if (!relay.ok()) {
      fmt::print(stderr, "createRelay: {}\n", relay.status().ToString());
      return result;
    }
    (*relay)->setRemote(RelaySide::kA, phones.phone(i, 0));
    (*relay)->setRemote(RelaySide::kB, phones.phone(i, 1));
    phones.setTarget(i, 0, (*relay)->localAddress(RelaySide::kA));
    phones.setTarget(i, 1, (*relay)->localAddress(RelaySide::kB));
    relays.push_back(std::move(*relay));
  }
  const uint64_t relayedBefore = engine ? engine->stats().packetsRelayed : 0;
  const double cpu0 = ProcessCpuSeconds();
  const double media0 = MediaThreadCpuSeconds();
  const auto t0 = std::chrono::steady_clock::now();
  phones.start();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  const double cpu1 = ProcessCpuSeconds();
  const double media1 = MediaThreadCpuSeconds();
  const auto t1 = std::chrono::steady_clock::now();
  phones.stop();
  result.seconds = std::chrono::duration<double>(t1 - t0).count();
  result.sent = phones.sent();
  result.received = phones.received();
  result.late = phones.lateTicks();
  result.relayed = engine ? engine->stats().packetsRelayed - relayedBefore : result.received;
  result.processCpu = (cpu1 - cpu0) / result.seconds;
  result.mediaCpu = (media1 - media0) / result.seconds;
  result.ok = true;
  return result;
}

void Print(const char* what, const Result& r) {
  if (!r.ok) {
    fmt::print("{:>6} {:<7} could not set up (ports or descriptors exhausted)\n", r.calls, what);
    return;
  }
  fmt::print("{:>6} {:<7} {:>10.0f} {:>10.0f} {:>9} {:>5} {:>9.1f}% {:>9.1f}%\n", r.calls, what,
             r.sent / r.seconds, r.relayed / r.seconds, r.sent - std::min(r.sent, r.received),
             r.late, 100 * r.processCpu, 100 * r.mediaCpu);
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--threads" && i + 1 < argc)
      options.threads = std::atoi(argv[++i]);
    else if (arg == "--seconds" && i + 1 < argc)
      options.seconds = std::atof(argv[++i]);
    else if (arg == "--max-calls" && i + 1 < argc)
      options.maxCalls = std::strtoul(argv[++i], nullptr, 10);
    else if (arg == "--quick")
      options.seconds = 2, options.maxCalls = 400;
    else {
      fmt::print(stderr, "usage: {} [--threads N] [--seconds S] [--max-calls N] [--quick]\n",
                 argv[0]);
      return 2;
    }
  }
  pbx::SetLogLevel(pbx::LogLevel::kWarning);
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  setrlimit(RLIMIT_NOFILE, &files);

  pbx::media::MediaEngineOptions engineOptions;
  engineOptions.portMin = 10000;  // below the kernel's ephemeral range, where the phones live
  engineOptions.portMax = 32767;
  engineOptions.threads = options.threads;
  auto engine = pbx::media::CreateMediaEngine(engineOptions);
  if (!engine.ok()) {
    fmt::print(stderr, "media engine: {}\n", engine.status().ToString());
    return 1;
  }

  fmt::print(
      "media-relay bench: {} media thread(s), {} CPUs, {:.0f} s per step; G.711 20 ms "
      "streams (172-byte packets, 50 pps each way per call)\n",
      options.threads, std::thread::hardware_concurrency(), options.seconds);
  fmt::print("{:>6} {:<7} {:>10} {:>10} {:>9} {:>5} {:>10} {:>10}\n", "calls", "path", "sent/s",
             "relayed/s", "lost", "late", "cpu(proc)", "cpu(media)");
  fmt::print("(late: 20 ms ticks on which the sender fell behind; cpu in % of one core)\n");
  size_t best = 0;
  Result bestResult;
  size_t failedAt = 0;
  std::vector<size_t> steps;
  for (size_t calls = 100; calls <= options.maxCalls; calls *= 2) steps.push_back(calls);
  for (size_t step = 0; step < steps.size(); ++step) {
    const size_t calls = steps[step];
    Print("direct", Run(nullptr, calls, options.seconds));
    const Result relayed = Run(engine->get(), calls, options.seconds);
    Print("relay", relayed);
    if (!relayed.ok || relayed.loss()) {
      failedAt = calls;
      break;
    }
    best = calls;
    bestResult = relayed;
  }
  // Narrow down between the last clean step and the first lossy one.
  for (int round = 0; round < 2 && failedAt != 0 && best != 0; ++round) {
    const size_t calls = (best + failedAt) / 2;
    const Result relayed = Run(engine->get(), calls, options.seconds);
    Print("relay", relayed);
    if (relayed.ok && !relayed.loss()) {
      best = calls;
      bestResult = relayed;
    } else {
      failedAt = calls;
    }
  }

  fmt::print("\nmax calls relayed without loss: {}{} ({:.0f} packets/s relayed)\n", best,
             failedAt == 0 ? "+ (the largest step tried)" : "",
             bestResult.relayed / std::max(bestResult.seconds, 1e-9));
  if (best != 0) {
    fmt::print(
        "at {} calls: process CPU {:.1f}% of one core, media threads {:.1f}% "
        "({:.2f}% per 1000 packets/s)\n",
        best, 100 * bestResult.processCpu, 100 * bestResult.mediaCpu,
        100 * bestResult.mediaCpu / (bestResult.relayed / bestResult.seconds / 1000));
  }
  return best != 0 ? 0 : 1;
}
