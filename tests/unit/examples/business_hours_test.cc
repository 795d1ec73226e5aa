// examples/dialplan (BusinessHours) on the simulation harness, on its simulated clock:
// 2026-01-01 is a Thursday, midnight UTC.
#include <doctest/doctest.h>

#include "business_hours.h"
#include "pbx/testing/simulated_pbx.h"

using namespace std::chrono_literals;
using State = pbx::testing::SimCall::State;

namespace {
struct Office {
  Office() {
    for (const char* n : {"100", "101", "102", "103", "104"})
      options.directory.extensions.push_back({n, {{n, std::string("pw") + n}}});
    pbx = std::make_unique<pbx::testing::SimulatedPbx>(options);
    for (const char* n : {"100", "101", "102", "103", "104"}) {
      phones[n] = &pbx->addPhone(n, std::string("pw") + n);
      REQUIRE(phones[n]->registerAccount() == 200);
    }
    examples::BusinessHours::Rules rules;
    rules.reception = {"100", "101"};
    rules.onCall = "103";
    rules.vip = {{"102", "101"}};
    rules.blocked = {"104"};
    rules.utcOffset = 60min;
    pbx->calls().setDialplan(std::make_shared<examples::BusinessHours>(rules, pbx->time()));
    pbx->runPending();
  }
  void at(int hourUtc) {  // moves the clock to that hour of the same day
    auto now = pbx->time().systemTime();
    auto day = std::chrono::floor<std::chrono::days>(now);
    pbx->time().setSystemTime(day + std::chrono::hours(hourUtc));
  }
  pbx::Options options;
  std::unique_ptr<pbx::testing::SimulatedPbx> pbx;
  std::map<std::string, pbx::testing::SimPhone*> phones;
};
}  // namespace

TEST_CASE("business hours: reception rings desk after desk; after hours the on-call phone") {
  Office o;
  o.at(9);  // 10:00 local on a Thursday
  auto& call = o.phones["103"]->call("500");
  o.pbx->runPending();
  REQUIRE(o.phones["100"]->incoming() != nullptr);
  CHECK(o.phones["101"]->incoming() == nullptr);
  o.pbx->advance(15s);  // the first desk rang 15 s: the second rings now
  CHECK(o.phones["100"]->incoming() == nullptr);
  REQUIRE(o.phones["101"]->incoming() != nullptr);
  o.phones["101"]->incoming()->answer();
  o.pbx->runPending();
  CHECK(call.state() == State::kAnswered);

  o.at(20);  // 21:00 local: closed
  auto& late = o.phones["100"]->call("500");
  o.pbx->runPending();
  CHECK(o.phones["101"]->incoming() == nullptr);
  REQUIRE(o.phones["103"]->incoming() != nullptr);
  o.phones["103"]->incoming()->answer();
  o.pbx->runPending();
  CHECK(late.state() == State::kAnswered);
}

TEST_CASE("business hours: VIP callers reach their contact, blocked callers are declined") {
  Office o;
  o.at(20);
  auto& vip = o.phones["102"]->call("500");
  o.pbx->runPending();
  REQUIRE(o.phones["101"]->incoming() != nullptr);
  CHECK(o.phones["103"]->incoming() == nullptr);
  CHECK(vip.state() == State::kRinging);
  auto& blocked = o.phones["104"]->call("100");
  o.pbx->runPending();
  CHECK(blocked.finalStatus() == 603);
}

TEST_CASE("business hours: weekends are closed") {
  examples::BusinessHours::Rules rules;
  rules.utcOffset = 0min;
  pbx::SimulatedTimeSource time;
  examples::BusinessHours plan(rules, time);
  using namespace std::chrono;
  sys_days thursday = 2026y / January / 1;
  CHECK(plan.open(thursday + 9h));
  CHECK(!plan.open(thursday + 7h + 59min));
  CHECK(!plan.open(thursday + 18h));
  CHECK(!plan.open(sys_days(2026y / January / 3) + 10h));  // Saturday
  CHECK(!plan.open(sys_days(2026y / January / 4) + 10h));  // Sunday
  CHECK(plan.open(sys_days(2026y / January / 5) + 10h));   // Monday
}
