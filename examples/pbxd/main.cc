// pbxd: the PBX daemon. Reads a YAML config, runs pbx::Pbx, serves metrics and the REST API
// (docs/rest-api.md), and handles signals: SIGTERM/SIGINT stop gracefully (BYE every call),
// SIGHUP reloads the accounts.
//
//   pbxd -c examples/config/demo.yaml          run
//   pbxd --check -c examples/config/demo.yaml  validate the config and exit
#include <signal.h>
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#ifdef PBXD_TCMALLOC
#include <gperftools/malloc_extension.h>
#endif

#include "examples/pbxd/config.h"
#include "examples/pbxd/heap_warmer.h"
#include "examples/pbxd/media_directory.h"
#include "examples/pbxd/metrics_server.h"
#include "examples/pbxd/rest/rest_server.h"
#include "pbx/pbx.h"

namespace {

void Usage(FILE* out) {
  std::fprintf(out,
               "usage: pbxd -c CONFIG.yaml [--check]\n"
               "  -c, --config FILE   the YAML configuration (see examples/config/demo.yaml)\n"
               "  --check             validate the configuration and exit\n");
}

// Lets pbxd hold many calls: every call anchors media on four UDP sockets.
void RaiseFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// pbxd keeps the memory its busiest moment needed instead of handing it back to the system
// and faulting it in again at the next peak. The SIP stack holds finished calls for 32 s
// (docs/pbxd.md), so a steady call rate is a steady heap; on virtual machines that return
// freed pages to the host, faulting fresh pages in cost a sixth of the signaling thread
// (docs/benchmarks.md). TCMALLOC_RELEASE_RATE in the environment still takes precedence.
void KeepPeakMemory() {
#ifdef PBXD_TCMALLOC
  if (std::getenv("TCMALLOC_RELEASE_RATE") == nullptr)
    MallocExtension::instance()->SetMemoryReleaseRate(0);
#endif
}

// Whether the environment leaves a pbxd feature on: anything but "off" in `name`, or nothing.
bool NotTurnedOff(const char* name) {
  const char* setting = std::getenv(name);
  return setting == nullptr || std::strcmp(setting, "off") != 0;
}

// Whether to fault the heap in ahead of the signaling thread (heap_warmer.h): with tcmalloc
// keeping its peak, unless PBXD_HEAP_WARMER=off. The memory it grows goes on huge pages unless
// PBXD_HEAP_HUGEPAGES=off.
bool WarmHeap() { return pbxd::HeapWarmer::Supported() && NotTurnedOff("PBXD_HEAP_WARMER"); }

// The media directories of the config, created when missing, and its music on hold checked:
// a directory pbxd cannot create or use, or a sound file it cannot read, stops it at start
// rather than failing the first call that needs it.
absl::StatusOr<pbxd::rest::MediaFiles> OpenMediaFiles(const pbxd::Config& config) {
  using Access = pbxd::MediaDirectory::Access;
  pbxd::rest::MediaFiles files;
  if (!config.mediaFiles.promptsDir.empty()) {
    auto prompts = pbxd::MediaDirectory::Open(config.mediaFiles.promptsDir, "media.prompts_dir",
                                              Access::kRead);
    if (!prompts.ok()) return prompts.status();
    files.prompts = *std::move(prompts);
  }
  if (!config.mediaFiles.recordingsDir.empty()) {
    auto recordings = pbxd::MediaDirectory::Open(config.mediaFiles.recordingsDir,
                                                 "media.recordings_dir", Access::kWrite);
    if (!recordings.ok()) return recordings.status();
    files.recordings = *std::move(recordings);
  }
  if (auto s = pbxd::CheckReadableFiles(config.options.media.musicOnHold, "media.music_on_hold");
      !s.ok())
    return s;
  return files;
}

}  // namespace

int main(int argc, char** argv) {
  std::string configPath;
  bool check = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if ((arg == "-c" || arg == "--config") && i + 1 < argc) {
      configPath = argv[++i];
    } else if (arg == "--check") {
      check = true;
    } else if (arg == "-h" || arg == "--help") {
      Usage(stdout);
      return 0;
    } else {
      std::fprintf(stderr, "pbxd: unknown argument '%s'\n", arg.c_str());
      Usage(stderr);
      return 2;
    }
  }
  if (configPath.empty()) {
    Usage(stderr);
    return 2;
  }
  auto config = pbxd::LoadConfig(configPath);
  if (!config.ok()) {
    std::fprintf(stderr, "pbxd: %s\n", std::string(config.status().message()).c_str());
    return 1;
  }
  if (check) {
    std::printf("%s: OK (%zu extensions)\n", configPath.c_str(),
                config->options.directory.extensions.size());
    return 0;
  }
  auto mediaFiles = OpenMediaFiles(*config);
  if (!mediaFiles.ok()) {
    std::fprintf(stderr, "pbxd: %s\n", std::string(mediaFiles.status().message()).c_str());
    return 1;
  }
  pbx::SetLogLevel(config->logLevel);
  RaiseFileLimit();
  KeepPeakMemory();

  // Signals are taken by sigwait() on this thread; every thread started after this inherits
  // the mask, so none of them is interrupted.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  std::optional<pbxd::HeapWarmer> warmer;
  if (WarmHeap()) warmer.emplace(pbxd::HeapReserve::Options{}, NotTurnedOff("PBXD_HEAP_HUGEPAGES"));

  auto pbx = pbx::Pbx::Create(config->options, config->sofia);
  if (!pbx.ok()) {
    std::fprintf(stderr, "pbxd: %s\n", std::string(pbx.status().message()).c_str());
    return 1;
  }
  if (warmer)
    (*pbx)->metrics().callbackCounter(
        "pbx_heap_prefaulted_bytes_total",
        "Heap memory pbxd's heap warmer faulted in ahead of the signaling thread",
        [&warmer] { return static_cast<double>(warmer->prefaultedBytes()); });
  pbxd::MetricsServer metrics((*pbx)->metrics());
  if (!config->metricsListen.empty()) {
    if (auto s = metrics.start(config->metricsListen); !s.ok()) {
      std::fprintf(stderr, "pbxd: %s\n", std::string(s.message()).c_str());
      (*pbx)->stop();
      return 1;
    }
  }
  // The REST API's threads only ever wait on the call API with a timeout, and it is stopped
  // before the PBX, so requests in flight at shutdown still get their answers.
  std::unique_ptr<pbxd::rest::RestServer> rest;
  if (config->rest.enabled()) {
    pbxd::rest::RestServer::Options restOptions;
    restOptions.api.media = *std::move(mediaFiles);
    auto started = pbxd::rest::RestServer::Start(config->rest, (*pbx)->calls(), restOptions);
    if (!started.ok()) {
      std::fprintf(stderr, "pbxd: %s\n", std::string(started.status().message()).c_str());
      metrics.stop();
      (*pbx)->stop();
      return 1;
    }
    rest = *std::move(started);
  }
  std::string listen;
  for (const auto& l : config->options.sip.listen) listen += (listen.empty() ? "" : ", ") + l;
  std::string restUrl =
      config->rest.enabled() ? "http://" + config->rest.listen + "/rest/" : std::string("off");
  std::printf("pbxd ready: SIP on %s, metrics on http://%s/metrics, REST API %s, %zu extensions\n",
              listen.c_str(), config->metricsListen.c_str(), restUrl.c_str(),
              config->options.directory.extensions.size());
  std::fflush(stdout);

  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      auto reloaded = pbxd::LoadConfig(configPath);
      if (!reloaded.ok()) {
        std::fprintf(stderr, "pbxd: reload failed, keeping the old accounts: %s\n",
                     std::string(reloaded.status().message()).c_str());
        continue;
      }
      auto s = (*pbx)->updateDirectory(reloaded->options.directory);
      std::fprintf(stderr, "pbxd: reload %s%s\n",
                   s.ok() ? "done" : "failed: ", s.ok() ? "" : std::string(s.message()).c_str());
      continue;
    }
    std::fprintf(stderr, "pbxd: %s, stopping\n", strsignal(sig));
    break;
  }
  if (rest) rest->stop();
  metrics.stop();
  (*pbx)->stop();
  std::fprintf(stderr, "pbxd: stopped\n");
  return 0;
}
