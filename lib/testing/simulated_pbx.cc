#include "pbx/testing/simulated_pbx.h"

#include "lib/call/call_controller.h"
#include "pbx/testing/simulated_signaling_stack.h"

namespace pbx::testing {

class SimulatedPbx::Core {
 public:
  std::unique_ptr<call::CallController> controller;
};

SimulatedPbx::SimulatedPbx(const Options& options)
    : dispatcher_(time_),
      stack_(std::make_unique<SimulatedSignalingStack>(dispatcher_, media_, options.sip.domain)),
      core_(std::make_unique<Core>()) {
  auto controller =
      call::CallController::Create(dispatcher_, *stack_, media_, metrics_,
                                   call::CallControlOptions::From(options), options.directory);
  // A harness with a broken directory is a broken test: fail loudly.
  if (!controller.ok()) {
    std::fprintf(stderr, "SimulatedPbx: %s\n", std::string(controller.status().message()).c_str());
    std::abort();
  }
  core_->controller = std::move(*controller);
}

SimulatedPbx::~SimulatedPbx() {
  core_.reset();
  dispatcher_.runPending();
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
  return core_->controller->updateDirectory(directory);
}

void SimulatedPbx::hangupAll() {
  core_->controller->hangupAll("shutdown");
  dispatcher_.runPending();
}

size_t SimulatedPbx::activeCalls() const { return core_->controller->activeCalls(); }
size_t SimulatedPbx::registrations() const { return core_->controller->registrar().size(); }

}  // namespace pbx::testing
