#include "pbx/pbx.h"

#include <future>
#include <mutex>
#include <thread>

#include "lib/base/log.h"
#include "lib/call/call_controller.h"
#include "pbx/base/status.h"
#include "pbx/media/media_engine.h"
#include "pbx/sip/sofia.h"

namespace pbx {
namespace {

constexpr std::chrono::seconds kShutdownGrace{5};

class PbxImpl final : public Pbx {
 public:
  ~PbxImpl() override { stop(); }

  absl::Status start(const Options& options) {
    PBX_ASSIGN_OR_RETURN(media_, media::CreateMediaEngine(options.media.engine));
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
                           "How late the signaling loop ran its last 100 ms probe", [this] {
                             std::lock_guard<std::mutex> lock(loopMutex_);
                             return loop_ ? loop_->lag().count() / 1e6 : 0.0;
                           });
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
          controller_->hangupAll("shutdown");
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
      loop_->post([&] { done.set_value(controller_->updateDirectory(directory)); });
    }
    return future.get();
  }

  MetricsRegistry& metrics() override { return metrics_; }

 private:
  void signalingThread(const Options& options, std::promise<absl::Status>& started) {
    auto status = init(options);
    started.set_value(status);
    if (!status.ok()) {
      teardown();
      return;
    }
    loop_->run();
    teardown();
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
    PBX_ASSIGN_OR_RETURN(stack_, sip::CreateSofiaStack(*loop_, sipOptions));
    PBX_ASSIGN_OR_RETURN(
        controller_,
        call::CallController::Create(*loop_, *stack_, *media_, metrics_,
                                     call::CallControlOptions::From(options), options.directory));
    return absl::OkStatus();
  }

  // On the signaling thread, in the order sofia needs: calls, stack (nua), loop (su_root).
  void teardown() {
    forceStop_.reset();
    controller_.reset();
    stack_.reset();
    std::lock_guard<std::mutex> lock(loopMutex_);
    loop_.reset();
  }

  MetricsRegistry metrics_;
  media::MediaEnginePtr media_;
  std::thread thread_;
  std::mutex stopMutex_;
  std::mutex loopMutex_;
  EventLoopPtr loop_;  // guarded by loopMutex_ for other threads
  sip::SignalingStackPtr stack_;
  std::unique_ptr<call::CallController> controller_;
  TimerPtr forceStop_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Pbx>> Pbx::Create(const Options& options) {
  auto pbx = std::make_unique<PbxImpl>();
  PBX_RETURN_IF_ERROR(pbx->start(options));
  return std::unique_ptr<Pbx>(std::move(pbx));
}

}  // namespace pbx
