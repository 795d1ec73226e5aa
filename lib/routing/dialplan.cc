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

Decision Decision::Park() {
  Decision d;
  d.kind = Kind::kPark;
  return d;
}

Decision Decision::Unpark(std::string slot) {
  Decision d;
  d.kind = Kind::kUnpark;
  d.slot = std::move(slot);
  return d;
}

Decision Decision::Pickup(std::string extension) {
  Decision d;
  d.kind = Kind::kPickup;
  d.target = std::move(extension);
  return d;
}

namespace {
class ExtensionDialplan final : public Dialplan {
 public:
  ExtensionDialplan(NumberingPlan plan, std::function<bool(const std::string&)> isExtension)
      : plan_(std::move(plan)), isExtension_(std::move(isExtension)) {}

  void route(const IncomingCall& call, DecisionCallback decide) override {
    const std::string& number = call.destination;
    if (isExtension_ && isExtension_(number)) return decide(Decision::Ring({{number}}));
    if (!plan_.parkExtension.empty() && number == plan_.parkExtension)
      return decide(Decision::Park());
    for (const auto& slot : plan_.parkSlots)
      if (number == slot) return decide(Decision::Unpark(slot));
    if (!plan_.groupPickupCode.empty() && number == plan_.groupPickupCode)
      return decide(Decision::Pickup(""));
    const std::string& prefix = plan_.directedPickupPrefix;
    if (!prefix.empty() && number.size() > prefix.size() && number.rfind(prefix, 0) == 0)
      return decide(Decision::Pickup(number.substr(prefix.size())));
    decide(Decision::Reject(call::Cause::kNoRoute));
  }

 private:
  NumberingPlan plan_;
  std::function<bool(const std::string&)> isExtension_;
};
}  // namespace

DialplanPtr DefaultDialplan(NumberingPlan plan,
                            std::function<bool(const std::string& number)> isExtension) {
  return std::make_shared<ExtensionDialplan>(std::move(plan), std::move(isExtension));
}

}  // namespace pbx::routing
