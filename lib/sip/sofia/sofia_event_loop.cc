#include "lib/sip/sofia/sofia_event_loop.h"

#include <sofia-sip/su.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "lib/base/log.h"
#include "lib/sip/sofia/sofia_clock.h"
#include "lib/sip/sofia/sofia_log.h"

namespace pbx::sip::internal {
namespace {

class SofiaTimer final : public Timer {
 public:
  SofiaTimer(su_root_t* root, Dispatcher::Callback callback)
      : timer_(su_timer_create(su_root_task(root), 0)), callback_(std::move(callback)) {}
  ~SofiaTimer() override { su_timer_destroy(timer_); }

  void enable(std::chrono::milliseconds delay) override {
    su_timer_reset(timer_);
    // The clock sofia reads is rounded up to the next millisecond (sofia_clock.h), so a timer
    // of N ms may fire after N - 1 ms of real time: one more keeps ours from firing early.
    su_duration_t ms = static_cast<su_duration_t>(std::max<int64_t>(delay.count(), 0) + 1);
    armed_ = su_timer_set_interval(timer_, &SofiaTimer::onFire,
                                   reinterpret_cast<su_timer_arg_t*>(this), ms) == 0;
  }
  void disable() override {
    su_timer_reset(timer_);
    armed_ = false;
  }
  bool enabled() const override { return armed_; }

 private:
  static void onFire(su_root_magic_t*, su_timer_t*, su_timer_arg_t* arg) {
    auto* self = reinterpret_cast<SofiaTimer*>(arg);
    self->armed_ = false;
    self->callback_();
  }

  su_timer_t* timer_;
  Dispatcher::Callback callback_;
  bool armed_ = false;
};

}  // namespace

absl::StatusOr<std::unique_ptr<SofiaEventLoop>> SofiaEventLoop::Create() {
  std::unique_ptr<SofiaEventLoop> loop(new SofiaEventLoop());
  if (auto status = loop->init(); !status.ok()) return status;
  return loop;
}

absl::Status SofiaEventLoop::init() {
  if (su_init() != 0) return absl::InternalError("su_init failed");
  RedirectSofiaLogs();
  RoundSofiaClockToMilliseconds();
  root_ = su_root_create(nullptr);
  if (root_ == nullptr) return absl::InternalError("su_root_create failed");
  su_root_threading(root_, 0);
  eventfd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (eventfd_ < 0) return absl::InternalError("eventfd failed");
  if (su_wait_create(wait_, eventfd_, SU_WAIT_IN) != 0)
    return absl::InternalError("su_wait_create failed");
  registration_ = su_root_register(root_, wait_, &SofiaEventLoop::onWakeup,
                                   reinterpret_cast<su_wakeup_arg_t*>(this), 0);
  if (registration_ < 0) return absl::InternalError("su_root_register failed");
  return absl::OkStatus();
}

SofiaEventLoop::~SofiaEventLoop() {
  if (root_ != nullptr) {
    if (registration_ >= 0)
      su_root_unregister(root_, wait_, &SofiaEventLoop::onWakeup,
                         reinterpret_cast<su_wakeup_arg_t*>(this));
    su_root_destroy(root_);
    su_deinit();
  }
  if (eventfd_ >= 0) close(eventfd_);
}

void SofiaEventLoop::post(Callback callback) {
  bool wake;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    wake = posted_.empty();
    posted_.push_back(std::move(callback));
  }
  if (wake) {
    uint64_t one = 1;
    [[maybe_unused]] ssize_t n = write(eventfd_, &one, sizeof one);
  }
}

int SofiaEventLoop::onWakeup(su_root_magic_t*, su_wait_t*, su_wakeup_arg_t* arg) {
  auto* self = reinterpret_cast<SofiaEventLoop*>(arg);
  uint64_t count;
  while (read(self->eventfd_, &count, sizeof count) > 0) {
  }
  self->drainPosted();
  return 0;
}

void SofiaEventLoop::drainPosted() {
  std::vector<Callback> batch;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    batch.swap(posted_);
  }
  for (auto& cb : batch) cb();
  if (stopRequested_.load()) su_root_break(root_);
}

TimerPtr SofiaEventLoop::createTimer(Callback callback) {
  return std::make_unique<SofiaTimer>(root_, std::move(callback));
}

void SofiaEventLoop::run() {
  owner_ = std::this_thread::get_id();
  if (stopRequested_.load()) return;
  su_root_run(root_);
}

void SofiaEventLoop::stop() {
  stopRequested_ = true;
  post([] {});
}

}  // namespace pbx::sip::internal

namespace pbx::sip {
absl::StatusOr<EventLoopPtr> CreateSofiaEventLoop() {
  auto loop = internal::SofiaEventLoop::Create();
  if (!loop.ok()) return loop.status();
  return EventLoopPtr(std::move(*loop));
}
}  // namespace pbx::sip
