// The media-relay bench's measurement: one step (N calls through a relay, or phone to phone,
// for S seconds), the step search for the most calls a relay carries with < 0.01% loss, a
// paired measurement of CPU at one load, and the printed rows and summary.
//
//   StepPlan plan;                       // 100, 200, 400, ... 3200 calls, 5 s each
//   auto searches = StepUp({pbxkit, rtpengine}, /*threads=*/1, plan);
//   MeasurePaired({pbxkit, rtpengine}, 1, plan, &searches);
//   PrintSummary(searches);
//
// Thread-safety: one thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tools/bench/media-relay/relay_peer.h"

namespace pbx::bench {

inline constexpr double kMaxLoss = 1e-4;  // 0.01%

struct StepResult {
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

// One step: `calls` calls through `relay`, or phone to phone when it is null.
StepResult RunStep(RelayPeer* relay, size_t calls, double seconds);
void PrintStepHeader();
void PrintStep(int threads, const std::string& what, const StepResult& result);

struct StepPlan {
  size_t firstCalls = 100;  // doubled up to maxCalls
  size_t maxCalls = 3200;
  double seconds = 5;
  bool direct = false;  // also run each step phone to phone, without a relay
  int pairedRounds = 5;
};

struct Search {
  std::string relay;
  int threads = 0;
  StepResult best;                      // calls == 0: no step passed
  StepResult firstFailed;               // calls == 0: every step passed
  std::map<size_t, StepResult> passed;  // by calls
  double callsPerCore() const { return best.callsPerCore(); }
  // From MeasurePaired(): calls per media core in each round at `pairedCalls`.
  size_t pairedCalls = 0;
  std::vector<double> paired;
};

// Steps every relay up together: at each step each relay still passing runs in turn, so that
// both see the machine in the same state; one that fails stops stepping up. Then two rounds
// of bisection, each relay between its own last pass and first failure.
std::vector<Search> StepUp(const std::vector<RelayPeer*>& relays, int threads,
                           const StepPlan& plan);
// CPU per call from one step is noisy on a shared machine: runs the relays in turn, `rounds`
// times, at the largest step all of them passed, and keeps each round's calls per core.
void MeasurePaired(const std::vector<RelayPeer*>& relays, int threads, const StepPlan& plan,
                   std::vector<Search>* searches);
// Per relay and thread count: the most calls, calls per media core, and pbxkit's ratio.
void PrintSummary(const std::vector<Search>& searches);

}  // namespace pbx::bench
