#include "pbx/routing/dialplan.h"

namespace pbx::routing {

Decision Decision::Ring(std::vector<RingTarget> targets, RingStrategy strategy) {
  Decision d;
  d.kind = Kind::kRing;
  d.targets = std::move(targets);
  d.strategy = strategy;
  return d;
}

Decision Decision::Reject(call::Cause cause, int sipStatus) {
  Decision d;
  d.kind = Kind::kReject;
  d.cause = cause;
  d.sipStatus = sipStatus;
  return d;
}

Decision Decision::Answer() {
  Decision d;
  d.kind = Kind::kAnswer;
  return d;
}

namespace {
class ExtensionDialplan final : public Dialplan {
 public:
  explicit ExtensionDialplan(std::function<bool(const std::string&)> isExtension)
      : isExtension_(std::move(isExtension)) {}

  void route(const IncomingCall& call, DecisionCallback decide) override {
    if (isExtension_ && isExtension_(call.destination))
      return decide(Decision::Ring({{call.destination}}));
    decide(Decision::Reject(call::Cause::kNoRoute));
  }

 private:
  std::function<bool(const std::string&)> isExtension_;
};
}  // namespace

DialplanPtr DefaultDialplan(std::function<bool(const std::string& number)> isExtension) {
  return std::make_shared<ExtensionDialplan>(std::move(isExtension));
}

}  // namespace pbx::routing
