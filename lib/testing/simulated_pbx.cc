#include "pbx/testing/simulated_pbx.h"

#include <cstdio>
#include <cstdlib>

#include "lib/call/call_service.h"
#include "lib/pbx/pbx_core.h"
#include "pbx/testing/simulated_signaling_stack.h"

namespace pbx::testing {

class SimulatedPbx::Core {
 public:
  std::unique_ptr<call::CallService> service;  // outlives the core, as in pbx::Pbx
  std::unique_ptr<PbxCore> core;
};

absl::StatusOr<std::unique_ptr<SimulatedPbx>> SimulatedPbx::Create(const Options& options) {
  std::unique_ptr<SimulatedPbx> pbx(new SimulatedPbx(options, Unchecked{}));
  auto status = pbx->start(options);
  if (!status.ok()) return status;
  return pbx;
}

SimulatedPbx::SimulatedPbx(const Options& options, Unchecked)
    : dispatcher_(time_),
      media_(&dispatcher_),
      stack_(std::make_unique<SimulatedSignalingStack>(dispatcher_, media_, options.sip.domain)),
      core_(std::make_unique<Core>()) {
  // Listeners and callbacks run on the simulated loop too: deterministically, in runPending().
  core_->service =
      std::make_unique<call::CallService>(dispatcher_, time_, options.events.historySize);
}

SimulatedPbx::SimulatedPbx(const Options& options) : SimulatedPbx(options, Unchecked{}) {
  auto status = start(options);
  if (!status.ok()) {
    std::fprintf(stderr, "SimulatedPbx: %s\n", std::string(status.message()).c_str());
    std::abort();
  }
}

absl::Status SimulatedPbx::start(const Options& options) {
  auto core = PbxCore::Create(dispatcher_, *stack_, media_, metrics_, *core_->service, options);
  if (!core.ok()) return core.status();
  core_->core = std::move(*core);
  return absl::OkStatus();
}

SimulatedPbx::~SimulatedPbx() {
  core_->core.reset();
  dispatcher_.runPending();
  core_.reset();
}

SimPhone& SimulatedPbx::addPhone(const std::string& username, const std::string& password,
                                 SimPhoneOptions options) {
  auto address = *SocketAddress::Parse("127.0.1." + std::to_string(phones_.size() + 1), 5060);
  phones_.push_back(
      std::unique_ptr<SimPhone>(new SimPhone(*stack_, username, password, address, options)));
  stack_->attach(phones_.back().get());
  return *phones_.back();
}

void SimulatedPbx::runPending() { dispatcher_.runPending(); }
void SimulatedPbx::advance(std::chrono::milliseconds delta) { dispatcher_.advance(delta); }

absl::Status SimulatedPbx::reloadDirectory(const Directory& directory) {
  return core_->core->updateDirectory(directory);
}

void SimulatedPbx::hangupAll() {
  core_->core->hangupAll(call::Cause::kShutdown, "the PBX is stopping");
  dispatcher_.runPending();
}

call::CallControl& SimulatedPbx::calls() { return *core_->service; }

size_t SimulatedPbx::activeCalls() const { return core_->core->activeCalls(); }
size_t SimulatedPbx::registrations() const { return core_->core->registrations(); }

}  // namespace pbx::testing
