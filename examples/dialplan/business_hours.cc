#include "business_hours.h"

namespace examples {

using pbx::routing::Decision;

bool BusinessHours::open(pbx::SystemTime when) const {
  using namespace std::chrono;
  auto local = floor<minutes>(when) + rules_.utcOffset;
  auto day = floor<days>(local);
  weekday wd{sys_days(day)};
  auto hour = duration_cast<hours>(local - day).count();
  bool weekday = wd != Saturday && wd != Sunday;
  return weekday && hour >= rules_.openHour && hour < rules_.closeHour;
}

void BusinessHours::route(const pbx::routing::IncomingCall& call,
                          pbx::routing::DecisionCallback decide) {
  const std::string& caller = call.caller.number;
  if (rules_.blocked.count(caller)) return decide(Decision::Reject(pbx::call::Cause::kDeclined));
  if (auto vip = rules_.vip.find(caller); vip != rules_.vip.end())
    return decide(Decision::Ring({{vip->second}}));
  if (call.destination != rules_.mainNumber) return decide(Decision::Ring({{call.destination}}));
  if (open(time_.systemTime())) {
    std::vector<pbx::routing::RingTarget> desks;
    for (const auto& desk : rules_.reception) desks.push_back({desk, rules_.receptionRing});
    return decide(Decision::Ring(desks, pbx::routing::RingStrategy::kSequential));
  }
  if (!rules_.onCall.empty()) return decide(Decision::Ring({{rules_.onCall}}));
  decide(Decision::Reject(pbx::call::Cause::kUnavailable));
}

}  // namespace examples
