#include "examples/pbxd/rest/leg_selector.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "examples/pbxd/rest/call_json.h"

namespace pbxd::rest {
namespace {

using pbx::call::CallInfo;
using pbx::call::LegInfo;
using pbx::call::Party;

// Debian's Abseil has a string_view of its own, which StrCat() takes.
absl::string_view View(std::string_view text) { return {text.data(), text.size()}; }

// The same party: by SIP account where both have one (an extension's devices share its
// number), else by number (a SIP URI's user, a trunk's caller).
bool SameParty(const Party& a, const Party& b) {
  if (!a.account.empty() && !b.account.empty()) return a.account == b.account;
  return !a.number.empty() && a.number == b.number;
}

}  // namespace

LegSelector LegSelector::Leg(pbx::LegId id) {
  LegSelector selector(Role::kLeg);
  selector.leg_ = id;
  return selector;
}

LegSelector LegSelector::Party(std::string number) {
  LegSelector selector(Role::kParty);
  selector.party_ = std::move(number);
  return selector;
}

LegSelector LegSelector::OppositeParty(std::string number) {
  LegSelector selector(Role::kOppositeParty);
  selector.party_ = std::move(number);
  return selector;
}

absl::StatusOr<LegSelector> LegSelector::Parse(std::string_view text, std::string_view name) {
  if (text == "caller") return Caller();
  if (text == "callee") return Callee();
  if (auto id = ParseLegId(text)) return Leg(*id);
  return absl::InvalidArgumentError(absl::StrCat(
      View(name), " must be caller, callee or a leg's id as activeCalls lists it (L2A)"));
}

absl::StatusOr<pbx::LegId> LegSelector::resolve(const std::vector<CallInfo>& calls,
                                                pbx::CallId id) const {
  auto call =
      std::find_if(calls.begin(), calls.end(), [&](const CallInfo& c) { return c.id == id; });
  if (call == calls.end()) return absl::NotFoundError("no call " + id.str());
  return resolve(*call);
}

absl::StatusOr<pbx::LegId> LegSelector::resolve(const CallInfo& call) const {
  const auto& legs = call.legs;
  auto callerLeg = std::find_if(legs.begin(), legs.end(), [&](const LegInfo& leg) {
    return SameParty(leg.party, call.caller);
  });
  switch (role_) {
    case Role::kLeg:
      if (std::none_of(legs.begin(), legs.end(), [&](const LegInfo& l) { return l.id == leg_; }))
        return absl::NotFoundError("call " + call.id.str() + " has no leg " + leg_.str());
      return leg_;
    case Role::kParty:
    case Role::kOppositeParty: {
      auto leg = std::find_if(legs.begin(), legs.end(), [&](const LegInfo& l) {
        return l.party.number == party_ || (!l.party.account.empty() && l.party.account == party_);
      });
      if (leg == legs.end())
        return absl::NotFoundError("call " + call.id.str() + " has no party " + party_);
      if (role_ == Role::kParty) return leg->id;
      auto opposite =
          std::find_if(legs.begin(), legs.end(), [&](const LegInfo& l) { return l.id != leg->id; });
      if (opposite == legs.end())
        return absl::FailedPreconditionError("call " + call.id.str() + " has nobody but " + party_);
      return opposite->id;
    }
    case Role::kCaller:
      if (callerLeg == legs.end())
        return absl::FailedPreconditionError("call " + call.id.str() +
                                             " has no leg for its caller " + call.caller.number);
      return callerLeg->id;
    case Role::kCallee: {
      auto isOther = [&](const LegInfo& l) {
        return callerLeg == legs.end() || l.id != callerLeg->id;
      };
      auto leg = std::find_if(legs.begin(), legs.end(), [&](const LegInfo& l) {
        return isOther(l) && SameParty(l.party, call.callee);
      });
      if (leg == legs.end()) leg = std::find_if(legs.begin(), legs.end(), isOther);
      if (leg == legs.end())
        return absl::FailedPreconditionError("call " + call.id.str() + " has no callee leg");
      return leg->id;
    }
  }
  return absl::InternalError("unknown leg role");
}

}  // namespace pbxd::rest
