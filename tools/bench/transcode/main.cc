// transcode-bench: what pbxkit's transcoding costs beyond the codec work a call cannot avoid,
// and what memory a transcoded call holds. Issue 24's aims: CPU at most 15% above raw libopus
// for the same calls, and at most 64 KiB per call beyond libopus' own state.
//
// CPU. A PCMU<->Opus call needs, per 20 ms, one opus_decode (the Opus phone's packet) and one
// opus_encode (the PCMU phone's audio for the Opus phone), 16 kHz mono. The baseline does just
// that for N calls with libopus directly, at pbxkit's settings (raw_opus.h). pbxkit runs N
// TerminatedRelays (side A PCMU, side B Opus) fed by simulated phones (transcoded_calls.h) and
// ticked every 20 ms of simulated time: jitter buffers, G.711 and resampling both ways, RTP.
// Both code the same audio and run for the same call-seconds, on this thread, timed with
// CLOCK_THREAD_CPUTIME_ID, in --rounds rounds of 100 ms slices taken in turn (a shared
// machine's speed swings by tens of percent within seconds; the ratio of neighbouring slices
// does not); the phones' own packet making is timed apart and taken off pbxkit's figure. The
// overhead is the median over rounds of pbxkit / baseline - 1; calls per core is 1 s / CPU seconds
// per call-second.
//
// Memory: see memory_probe.h.
//
// Usage: transcode-bench [--calls N] [--seconds S] [--rounds R] [--memory-calls M]
//                        [--no-cpu] [--no-memory] [--quick] [--only libopus|pbxkit]
// --only runs one side's CPU rounds alone (no comparison, no memory), to profile it.
#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "lib/media/codec/codec_catalog.h"
#include "lib/media/terminated/side_stream.h"
#include "tools/bench/transcode/call_audio.h"
#include "tools/bench/transcode/memory_probe.h"
#include "tools/bench/transcode/raw_opus.h"
#include "tools/bench/transcode/transcoded_calls.h"

namespace {

using pbx::bench::CallAudio;
using pbx::bench::RawOpusCall;
using pbx::bench::TranscodedCalls;

constexpr double kCpuAim = 0.15;                 // pbxkit at most 15% over raw libopus
constexpr double kMemoryAimBytes = 64.0 * 1024;  // per call beyond libopus' state
constexpr size_t kAudioFrames = 250;             // 5 s of prepared audio, looped
constexpr size_t kWarmUpTicks = 50;
constexpr size_t kSliceTicks = 5;  // 100 ms of every call, then the other side's turn

struct Options {
  size_t calls = 200;
  double seconds = 2;
  int rounds = 7;
  size_t memoryCalls = 1000;
  bool cpu = true;
  bool memory = true;
  std::string only;  // "libopus" or "pbxkit": that side alone, for a profiler
};

bool ParseArgs(int argc, char** argv, Options* options) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool hasValue = i + 1 < argc;
    if (arg == "--calls" && hasValue) {
      options->calls = std::max<size_t>(1, std::strtoul(argv[++i], nullptr, 10));
    } else if (arg == "--seconds" && hasValue) {
      options->seconds = std::max(0.02, std::atof(argv[++i]));
    } else if (arg == "--rounds" && hasValue) {
      options->rounds = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--memory-calls" && hasValue) {
      options->memoryCalls = std::max<size_t>(1, std::strtoul(argv[++i], nullptr, 10));
    } else if (arg == "--only" && hasValue) {
      options->only = argv[++i];
      if (options->only != "libopus" && options->only != "pbxkit") return false;
      options->memory = false;
    } else if (arg == "--no-cpu") {
      options->cpu = false;
    } else if (arg == "--no-memory") {
      options->memory = false;
    } else if (arg == "--quick") {
      options->calls = 100;
      options->seconds = 1;
      options->rounds = 3;
      options->memoryCalls = 300;
    } else {
      return false;
    }
  }
  return true;
}

double ThreadCpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

template <typename Work>
double TimeCpu(Work work) {
  const double start = ThreadCpuSeconds();
  work();
  return ThreadCpuSeconds() - start;
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

std::string FirstLine(const char* path, const std::string& prefix = "") {
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(prefix)) return prefix.empty() ? line : line.substr(line.find(':') + 2);
  }
  return "?";
}

// N calls' worth of libopus alone: per call and 20 ms, one encode and one decode.
class Baseline {
 public:
  Baseline(const CallAudio& audio, const pbx::media::internal::CodecParams& params, size_t calls)
      : audio_(audio) {
    for (size_t i = 0; i < calls; ++i) {
      auto call = RawOpusCall::Create(params);
      if (!call.ok()) {
        fmt::print(stderr, "transcode-bench: {}\n", call.status().ToString());
        std::exit(1);
      }
      calls_.push_back(std::move(*call));
    }
  }
  void run(size_t ticks) {
    for (size_t t = 0; t < ticks; ++t, ++tick_) {
      for (size_t i = 0; i < calls_.size(); ++i) {
        // The same frame, call by call, as TranscodedCalls feeds.
        const size_t frame = (i * 37 + tick_) % audio_.frames();
        sink_ += calls_[i].frame(audio_.pcmuDecoded[frame].data(), audio_.opus[frame].data(),
                                 audio_.opus[frame].size());
      }
    }
  }
  size_t sink() const { return sink_; }

 private:
  const CallAudio& audio_;
  std::vector<RawOpusCall> calls_;
  size_t tick_ = 0;
  size_t sink_ = 0;
};

struct Round {
  double baseline = 0;  // CPU seconds per call-second
  double pbxkit = 0;    // the same, the phones' share taken off
  double phones = 0;
  double overhead() const { return pbxkit / baseline - 1; }
};

void RunCpu(const Options& options, const CallAudio& audio,
            const pbx::media::internal::CodecParams& params, const pbx::media::StreamFormat& pcmu,
            const pbx::media::StreamFormat& opus) {
  const size_t ticks = static_cast<size_t>(std::lround(options.seconds * 50));
  const double callSeconds = static_cast<double>(options.calls * ticks) / 50;
  Baseline baseline(audio, params, options.calls);
  TranscodedCalls calls(audio, pcmu, opus, options.calls);
  if (!calls.allTerminating()) {
    fmt::print(stderr, "transcode-bench: a relay is not transcoding PCMU<->Opus\n");
    std::exit(1);
  }
  baseline.run(kWarmUpTicks);
  calls.run(kWarmUpTicks);
  calls.resetCounts();
  if (!options.only.empty()) {
    // One side alone, for `perf record`: its CPU per call-second, round by round.
    for (int r = 0; r < options.rounds; ++r) {
      const double cpu =
          TimeCpu([&] { options.only == "libopus" ? baseline.run(ticks) : calls.run(ticks); });
      fmt::print("  {} alone, round {}: {:.3f} ms per call-second\n", options.only, r + 1,
                 cpu / callSeconds * 1e3);
    }
    return;
  }

  fmt::print(
      "\nCPU: {} calls, {:.0f} s of simulated time per measure ({:.0f} call-seconds), "
      "{} rounds; ms of CPU per call-second\n",
      options.calls, ticks / 50.0, callSeconds, options.rounds);
  fmt::print("  round  first     raw libopus   pbxkit (phones off)   phones   overhead\n");
  std::vector<Round> rounds;
  for (int r = 0; r < options.rounds; ++r) {
    // In slices of kSliceTicks, the two in turn (ABBA), so that what else the machine does
    // meets both alike; which one starts alternates from round to round.
    Round round;
    const bool baselineFirst = r % 2 == 0;
    for (size_t done = 0, slice = 0; done < ticks; done += kSliceTicks, ++slice) {
      const size_t n = std::min(kSliceTicks, ticks - done);
      const bool baselineNow = (slice % 4 == 0 || slice % 4 == 3) == baselineFirst;
      for (int turn = 0; turn < 2; ++turn) {
        if ((turn == 0) == baselineNow) {
          round.baseline += TimeCpu([&] { baseline.run(n); });
        } else {
          round.pbxkit += TimeCpu([&] { calls.run(n); });
        }
      }
    }
    round.phones = TimeCpu([&] { calls.run(ticks, /*relays=*/false); });
    round.baseline /= callSeconds;
    round.pbxkit = (round.pbxkit - round.phones) / callSeconds;
    round.phones /= callSeconds;
    fmt::print("  {:>5}  {:<8}  {:>11.3f}   {:>19.3f}   {:>6.3f}   {:>+7.1f}%\n", r + 1,
               baselineFirst ? "libopus" : "pbxkit", round.baseline * 1e3, round.pbxkit * 1e3,
               round.phones * 1e3, round.overhead() * 100);
    rounds.push_back(round);
  }

  std::vector<double> base, pbxkit, overhead;
  for (const Round& round : rounds) {
    base.push_back(round.baseline);
    pbxkit.push_back(round.pbxkit);
    overhead.push_back(round.overhead());
  }
  const double medianBase = Median(base);
  const double medianPbxkit = Median(pbxkit);
  const double medianOverhead = Median(overhead);
  const auto& counts = calls.counts();
  const double expected = static_cast<double>(options.calls * ticks) * (options.rounds * 2);
  fmt::print(
      "  median: raw libopus {:.3f} ms, pbxkit {:.3f} ms per call-second; overhead "
      "{:+.1f}% (median of rounds; ratio of medians {:+.1f}%, rounds from {:+.1f}% to "
      "{:+.1f}%)\n",
      medianBase * 1e3, medianPbxkit * 1e3, medianOverhead * 100,
      (medianPbxkit / medianBase - 1) * 100,
      *std::min_element(overhead.begin(), overhead.end()) * 100,
      *std::max_element(overhead.begin(), overhead.end()) * 100);
  fmt::print("  calls per core: raw libopus {:.0f}, pbxkit {:.0f}\n", 1 / medianBase,
             1 / medianPbxkit);
  fmt::print(
      "  pbxkit sent {} packets to the PCMU phones ({:.0f} B avg), {} to the Opus phones "
      "({:.0f} B avg): {:.2f}% of ticks each way; {} events\n",
      counts.packetsOut[0], counts.bytesOut[0] / std::max(1.0, 1.0 * counts.packetsOut[0]),
      counts.packetsOut[1], counts.bytesOut[1] / std::max(1.0, 1.0 * counts.packetsOut[1]),
      100.0 * (counts.packetsOut[0] + counts.packetsOut[1]) / expected, counts.events);
  fmt::print("  overhead aim <= +{:.0f}%: {}\n", kCpuAim * 100,
             medianOverhead <= kCpuAim ? "holds" : "MISSED");
  if (baseline.sink() == 0 || counts.phoneBytes == 0) fmt::print("  (sinks empty)\n");
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!ParseArgs(argc, argv, &options)) {
    fmt::print(stderr,
               "usage: transcode-bench [--calls N] [--seconds S] [--rounds R] [--memory-calls M] "
               "[--no-cpu] [--no-memory] [--quick] [--only libopus|pbxkit]\n");
    return 2;
  }
  pbx::media::StreamFormat pcmu;
  pcmu.codec = "PCMU";
  pcmu.payloadType = 0;
  pcmu.telephoneEvent = 101;
  // What the call layer sets for an Opus phone: its fmtp as the SDP carried it.
  pbx::media::StreamFormat opus;
  opus.codec = "opus";
  opus.payloadType = 111;
  opus.telephoneEvent = 101;
  opus.fmtp = "useinbandfec=1";
  const pbx::media::internal::CodecParams params = pbx::media::internal::ParamsFor(opus);
  auto audio = CallAudio::Prepare(params, kAudioFrames);
  if (!audio.ok()) {
    fmt::print(stderr, "transcode-bench: {}\n", audio.status().ToString());
    return 1;
  }
  size_t opusBytes = 0;
  for (const auto& payload : audio->opus) opusBytes += payload.size();
  fmt::print("transcode-bench: PCMU <-> Opus, {}; {} x {}\n", pbx::bench::OpusVersion(),
             std::thread::hardware_concurrency(), FirstLine("/proc/cpuinfo", "model name"));
  fmt::print("  load average before: {}\n", FirstLine("/proc/loadavg"));
  fmt::print(
      "  Opus as pbxkit codes it: 16 kHz mono, OPUS_APPLICATION_VOIP, complexity {}, "
      "inband FEC {} ({}% loss), bitrate {}, DTX {}; the Opus phone's packets: {:.0f} B "
      "avg (fmtp \"{}\")\n",
      params.opusComplexity, params.opusInbandFec ? "on" : "off",
      pbx::bench::kPbxkitOpusLossPercent,
      params.opusMaxAverageBitrate > 0 ? std::to_string(params.opusMaxAverageBitrate)
                                       : "libopus' choice",
      params.opusDtx ? "on" : "off", 1.0 * opusBytes / audio->opus.size(), opus.fmtp);
  if (options.cpu) RunCpu(options, *audio, params, pcmu, opus);
  if (options.memory) {
    pbx::bench::PrintMemory(pbx::bench::MeasureMemory(*audio, pcmu, opus, options.memoryCalls),
                            kMemoryAimBytes);
  }
  return 0;
}
