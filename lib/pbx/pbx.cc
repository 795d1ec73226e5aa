#include "pbx/pbx.h"

#include <atomic>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "lib/base/lag_probe.h"
#include "lib/base/log.h"
#include "lib/base/thread_cpu_clock.h"
#include "lib/base/thread_loop.h"
#include "lib/call/call_service.h"
#include "lib/pbx/pbx_core.h"
#include "pbx/base/status.h"
#include "pbx/media/media_engine.h"
#include "pbx/sip/sofia.h"

namespace pbx {
namespace {

constexpr std::chrono::seconds kShutdownGrace{5};
constexpr std::chrono::milliseconds kLagProbeInterval{100};
// Loop lag buckets, in seconds: a loop keeping up lands in the first; retransmissions start
// to suffer from about T1 (500 ms).
const std::vector<double> kLagBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                         0.05,   0.1,   0.25,   0.5,   1,    2.5};

class PbxImpl final : public Pbx {
 public:
  explicit PbxImpl(const sip::SofiaTuning& tuning) : tuning_(tuning) {}
  ~PbxImpl() override { stop(); }

  absl::Status start(const Options& options) {
    PBX_ASSIGN_OR_RETURN(media_, media::CreateMediaEngine(options.media.engine));
    events_ = ThreadLoop::Start("pbx-events", time_);
    service_ = std::make_unique<call::CallService>(*events_, time_, options.events.historySize);
    lagHistogram_ = &metrics_.histogram(
        "pbx_signaling_loop_lag_probe_seconds",
        "How late the signaling loop ran each of its 100 ms probe timers", kLagBuckets);
    std::promise<absl::Status> started;
    auto startedFuture = started.get_future();
    thread_ = std::thread([this, options, &started] { signalingThread(options, started); });
    absl::Status status = startedFuture.get();
    if (!status.ok()) {
      thread_.join();
      media_.reset();
      return status;
    }
    metrics_.callbackGauge("pbx_signaling_loop_lag_seconds",
                           "How late the signaling loop ran its last 100 ms probe",
                           [this] { return lastLagMicros_.load() / 1e6; });
    metrics_.callbackGauge("pbx_sip_receive_queue_fill",
                           "How full the SIP UDP socket's receive buffer was at the last probe "
                           "(0 to 1; overload control refuses new calls past "
                           "sip.overload.max_receive_queue_percent)",
                           [this] { return lastQueueFill_.load(); });
    metrics_.callbackCounter("pbx_signaling_thread_cpu_seconds_total",
                             "CPU time used by the signaling thread (its rate: 1 = saturated)",
                             [this] { return signalingCpu_.seconds(); });
    metrics_.callbackCounter("pbx_sip_send_thread_cpu_seconds_total",
                             "CPU time used by the thread that sends SIP over UDP "
                             "(sip.udp_send_thread), as of the last probe",
                             [this] { return sendThread_.load().cpuSeconds; });
    metrics_.callbackCounter("pbx_sip_udp_send_dropped_total",
                             "SIP datagrams the send thread had no room for, dropped as a full "
                             "socket buffer drops them (the thread fell seconds behind)",
                             [this] { return double(sendThread_.load().dropped); });
    metrics_.callbackCounter("pbx_sip_udp_send_errors_total",
                             "SIP datagrams the kernel refused on the send thread",
                             [this] { return double(sendThread_.load().failed); });
    metrics_.callbackCounter("pbx_media_threads_cpu_seconds_total",
                             "CPU time used by the media threads together",
                             [this] { return media_->stats().cpuSeconds; });
    metrics_.callbackGauge("pbx_media_packets_relayed", "RTP/RTCP packets sent by the media engine",
                           [this] { return double(media_->stats().packetsRelayed); });
    metrics_.callbackGauge("pbx_media_relays_active", "RTP relays allocated",
                           [this] { return double(media_->stats().relaysActive); });
    return absl::OkStatus();
  }

  void stop() override {
    std::lock_guard<std::mutex> stopLock(stopMutex_);
    if (!thread_.joinable()) return;
    {
      std::lock_guard<std::mutex> lock(loopMutex_);
      if (loop_) {
        EventLoop* loop = loop_.get();
        loop->post([this, loop] {
          core_->hangupAll(call::Cause::kShutdown, "the PBX is stopping");
          // Give the stack a bounded time to send BYEs and finish; then stop regardless.
          forceStop_ = loop->createTimer([loop] { loop->stop(); });
          forceStop_->enable(kShutdownGrace);
          stack_->shutdown([loop] { loop->stop(); });
        });
      }
    }
    thread_.join();
    // The media engine stays until the Pbx is destroyed: the metrics gauges read it, and
    // metrics remain readable after stop().
  }

  absl::Status updateDirectory(const Directory& directory) override {
    std::promise<absl::Status> done;
    auto future = done.get_future();
    {
      std::lock_guard<std::mutex> lock(loopMutex_);
      if (!loop_) return absl::FailedPreconditionError("the PBX is stopped");
      loop_->post([&] { done.set_value(core_->updateDirectory(directory)); });
    }
    return future.get();
  }

  MetricsRegistry& metrics() override { return metrics_; }
  call::CallControl& calls() override { return *service_; }

 private:
  void signalingThread(const Options& options, std::promise<absl::Status>& started) {
    signalingCpu_.start();
    auto status = init(options);
    started.set_value(status);
    if (status.ok()) loop_->run();
    teardown();
    signalingCpu_.finish();
  }

  absl::Status init(const Options& options) {
    auto loop = sip::CreateSofiaEventLoop();
    if (!loop.ok()) return loop.status();
    {
      std::lock_guard<std::mutex> lock(loopMutex_);
      loop_ = std::move(*loop);
    }
    sip::SofiaStackOptions sipOptions;
    sipOptions.listen = options.sip.listen;
    sipOptions.userAgent = options.sip.userAgent;
    sipOptions.tuning = tuning_;
    PBX_ASSIGN_OR_RETURN(stack_, sip::CreateSofiaStack(*loop_, sipOptions));
    PBX_ASSIGN_OR_RETURN(core_,
                         PbxCore::Create(*loop_, *stack_, *media_, metrics_, *service_, options));
    lagProbe_ = std::make_unique<LagProbe>(*loop_, kLagProbeInterval, [this](auto lag) {
      lastLagMicros_.store(lag.count());
      lastQueueFill_.store(stack_->receiveQueueFill());
      sendThread_.store(sip::SofiaSendThreadStats(*stack_));
      lagHistogram_->observe(static_cast<double>(lag.count()) / 1e6);
    });
    return absl::OkStatus();
  }

  // On the signaling thread, in the order sofia needs: calls, stack (nua), loop (su_root).
  void teardown() {
    lagProbe_.reset();
    forceStop_.reset();
    core_.reset();
    stack_.reset();
    std::lock_guard<std::mutex> lock(loopMutex_);
    loop_.reset();
  }

  const sip::SofiaTuning tuning_;
  RealTimeSource time_;
  MetricsRegistry metrics_;
  media::MediaEnginePtr media_;
  // The event thread runs the program's listeners and callbacks; it and the call service
  // outlive the signaling thread (the service answers "stopped" after stop()).
  std::unique_ptr<ThreadLoop> events_;
  std::unique_ptr<call::CallService> service_;
  std::thread thread_;
  std::mutex stopMutex_;
  std::mutex loopMutex_;
  EventLoopPtr loop_;  // guarded by loopMutex_ for other threads
  sip::SignalingStackPtr stack_;
  std::unique_ptr<PbxCore> core_;
  TimerPtr forceStop_;
  std::unique_ptr<LagProbe> lagProbe_;
  Histogram* lagHistogram_ = nullptr;
  std::atomic<int64_t> lastLagMicros_{0};
  std::atomic<double> lastQueueFill_{0};
  std::atomic<sip::SendThreadStats> sendThread_{};  // as of the last probe
  ThreadCpuClock signalingCpu_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Pbx>> Pbx::Create(const Options& options,
                                                 const sip::SofiaTuning& tuning) {
  auto pbx = std::make_unique<PbxImpl>(tuning);
  PBX_RETURN_IF_ERROR(pbx->start(options));
  return std::unique_ptr<Pbx>(std::move(pbx));
}

}  // namespace pbx
