// A C++ dialplan that routes by caller and by time of day — the kind a program embedding
// pbxkit writes for itself. Calls to the main number ring the reception desks one after the
// other during business hours and the on-call extension outside them; VIP callers always
// reach their contact; blocked callers are declined; other numbers go to the extension
// dialled, as in the default dialplan.
//
//   BusinessHours::Rules rules;
//   rules.mainNumber = "500";
//   rules.reception = {"100", "101"};
//   rules.onCall = "103";
//   rules.vip = {{"102", "101"}};                   // 102 always reaches 101
//   pbx->calls().setDialplan(std::make_shared<BusinessHours>(rules, time));
//
// Thread-safety: route() runs on the signaling thread; the rules are fixed at construction.
#pragma once

#include <pbx/base/time_source.h>
#include <pbx/routing/dialplan.h>

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace examples {

class BusinessHours final : public pbx::routing::Dialplan {
 public:
  struct Rules {
    std::string mainNumber = "500";
    std::vector<std::string> reception;      // rung in order during business hours
    std::chrono::seconds receptionRing{15};  // each desk rings this long
    std::string onCall;                      // outside business hours
    std::map<std::string, std::string> vip;  // caller -> the extension it always reaches
    std::set<std::string> blocked;           // callers that are declined
    std::chrono::minutes utcOffset{60};      // local time = UTC + this
    int openHour = 8;                        // business hours: Monday to Friday,
    int closeHour = 18;                      // [openHour, closeHour) local time
  };

  BusinessHours(Rules rules, const pbx::TimeSource& time) : rules_(std::move(rules)), time_(time) {}

  void route(const pbx::routing::IncomingCall& call,
             pbx::routing::DecisionCallback decide) override;

  // Whether `when` falls in business hours under the rules.
  bool open(pbx::SystemTime when) const;

 private:
  Rules rules_;
  const pbx::TimeSource& time_;
};

}  // namespace examples
