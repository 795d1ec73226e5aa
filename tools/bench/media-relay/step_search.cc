#include "tools/bench/media-relay/step_search.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include <fmt/format.h>

namespace pbx::bench {
namespace {

double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t middle = values.size() / 2;
  return values.size() % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

const char* Limit(const Search& s) {
  if (s.firstFailed.calls == 0) return "- (largest step passed)";
  if (!s.firstFailed.setUpError.empty()) return "set-up";
  if (s.firstFailed.lossFraction() >= kMaxLoss) return "loss";
  return "sender short";
}

}  // namespace

StepResult RunStep(RelayPeer* relay, size_t calls, double seconds) {
  StepResult result;
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

void PrintStepHeader() {
  fmt::print("{:>7} {:<9} {:>6} {:>9} {:>9} {:>7} {:>8} {:>5} {:>10} {:>10}  {}\n", "threads",
             "relay", "calls", "sent/s", "back/s", "lost", "loss", "late", "cpu(bench)",
             "cpu(relay)", "verdict");
}

void PrintStep(int threads, const std::string& what, const StepResult& r) {
  if (!r.setUpError.empty()) {
    fmt::print("{:>7} {:<9} {:>6} set-up failed: {}\n", threads, what, r.calls, r.setUpError);
    return;
  }
  fmt::print("{:>7} {:<9} {:>6} {:>9.0f} {:>9.0f} {:>7} {:>7.4f}% {:>5} {:>9.1f}% {:>9.1f}%  {}\n",
             threads, what, r.calls, r.sent / r.seconds, r.received / r.seconds, r.lost(),
             100 * r.lossFraction(), r.late, 100 * r.benchCpu, 100 * r.relayCpu, r.verdict());
  std::fflush(stdout);
}

std::vector<Search> StepUp(const std::vector<RelayPeer*>& relays, int threads,
                           const StepPlan& plan) {
  std::vector<Search> searches(relays.size());
  auto record = [&](size_t i, const StepResult& r) {
    Search& search = searches[i];
    PrintStep(threads, relays[i]->name(), r);
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
  for (size_t calls = plan.firstCalls; calls <= plan.maxCalls; calls *= 2) {
    if (plan.direct) PrintStep(threads, "direct", RunStep(nullptr, calls, plan.seconds));
    bool stepped = false;
    for (size_t i = 0; i < relays.size(); ++i) {
      if (searches[i].firstFailed.calls != 0) continue;
      record(i, RunStep(relays[i], calls, plan.seconds));
      stepped = true;
    }
    if (!stepped) break;
  }
  for (int round = 0; round < 2; ++round) {
    for (size_t i = 0; i < relays.size(); ++i) {
      const Search& search = searches[i];
      if (search.firstFailed.calls == 0 || search.best.calls == 0) continue;
      const size_t calls = (search.best.calls + search.firstFailed.calls) / 2;
      if (calls != search.best.calls) record(i, RunStep(relays[i], calls, plan.seconds));
    }
  }
  return searches;
}

void MeasurePaired(const std::vector<RelayPeer*>& relays, int threads, const StepPlan& plan,
                   std::vector<Search>* searches) {
  size_t calls = 0;
  for (const auto& [candidate, result] : searches->front().passed) {
    bool all = true;
    for (const Search& search : *searches) all = all && search.passed.count(candidate) != 0;
    if (all) calls = candidate;
  }
  if (calls == 0 || relays.size() < 2) return;
  fmt::print("paired: {} calls, each relay in turn, {} rounds\n", calls, plan.pairedRounds);
  for (int round = 0; round < plan.pairedRounds; ++round) {
    for (size_t i = 0; i < relays.size(); ++i) {
      const StepResult r = RunStep(relays[i], calls, plan.seconds);
      PrintStep(threads, relays[i]->name(), r);
      Search& search = (*searches)[i];
      search.pairedCalls = calls;
      if (r.setUpError.empty() && r.lossFraction() < kMaxLoss) {
        search.paired.push_back(r.callsPerCore());
      }
    }
  }
}

void PrintSummary(const std::vector<Search>& searches) {
  fmt::print(
      "\nsummary: the most calls with < 0.01% loss; calls per media core = packets/s relayed "
      "in that step / 100 / the relay's CPU in cores\n");
  fmt::print("{:>7} {:<9} {:>6} {:>11} {:>10} {:>11} {:>14}  {}\n", "threads", "relay", "calls",
             "first fail", "cpu(relay)", "calls/core", "%core/1000pps", "failed on");
  for (const Search& s : searches) {
    const StepResult& b = s.best;
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
            "{} thread(s): at each one's best step, calls per media core: {:.2f}x ({} the "
            "1.5x aim); most clean calls: pbxkit {}, rtpengine {}\n",
            p.threads, ratio, ratio >= 1.5 ? "meets" : "BELOW", p.best.calls, r.best.calls);
      }
      if (!p.paired.empty() && !r.paired.empty()) {
        const double ratio = Median(p.paired) / Median(r.paired);
        fmt::print(
            "{} thread(s): at {} calls, {} rounds in turn, median calls per media core: pbxkit "
            "{:.0f}, rtpengine {:.0f}: {:.2f}x ({} the 1.5x aim)\n",
            p.threads, p.pairedCalls, std::min(p.paired.size(), r.paired.size()), Median(p.paired),
            Median(r.paired), ratio, ratio >= 1.5 ? "meets" : "BELOW");
      }
    }
  }
}

}  // namespace pbx::bench
