// LegSelector: which leg of a call a phone-services request means. Clients name a leg by
// its role, as the seed's DTMF injection does ("to the caller's or the callee's channel"),
// or by its id as activeCalls lists it:
//
//   ?to=caller | ?to=callee | ?to=L2A        (also ?leg= and ?stays=)
//
// and the redirectCall endpoint by the party's number ({source}). The call API wants a
// LegId, so a role is resolved against the call as listCalls() describes it:
//
//   - the caller's leg is the first leg whose party is the call's caller (CallInfo::caller:
//     the same SIP account, or, for parties without one, the same number);
//   - the callee's leg is another leg: the first whose party is the call's callee
//     (CallInfo::callee), else the first leg that is not the caller's;
//   - a party's leg is the first leg whose party has that number or SIP account, and the
//     leg opposite a party the first other leg.
//
//   auto to = LegSelector::Parse("callee", "to");             // or 400: InvalidArgument
//   absl::StatusOr<pbx::LegId> leg = to->resolve(calls, id);  // calls: from listCalls()
//
// Thread-safety: a value type.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "pbx/base/ids.h"
#include "pbx/call/call_types.h"

namespace pbxd::rest {

class LegSelector {
 public:
  enum class Role { kCaller, kCallee, kLeg, kParty, kOppositeParty };

  static LegSelector Caller() { return LegSelector(Role::kCaller); }
  static LegSelector Callee() { return LegSelector(Role::kCallee); }
  static LegSelector Leg(pbx::LegId id);
  static LegSelector Party(std::string number);
  // The leg of whoever talks to `number` in the call.
  static LegSelector OppositeParty(std::string number);
  // "caller", "callee" or a leg id ("L2A"); anything else is InvalidArgument naming the query
  // parameter `name` it came from.
  static absl::StatusOr<LegSelector> Parse(std::string_view text, std::string_view name);

  Role role() const { return role_; }
  // Whether resolve() needs the call's legs: false when the selector is a leg id already.
  bool needsLegs() const { return role_ != Role::kLeg; }
  // The leg id of a kLeg selector; invalid for the others.
  pbx::LegId leg() const { return leg_; }
  // The leg this selector names in call `id`: NotFound when `calls` has no such call or (for
  // a leg id or a party) the call has no such leg; FailedPrecondition when the call has no
  // leg in the role (yet, or any more).
  absl::StatusOr<pbx::LegId> resolve(const std::vector<pbx::call::CallInfo>& calls,
                                     pbx::CallId id) const;
  absl::StatusOr<pbx::LegId> resolve(const pbx::call::CallInfo& call) const;

 private:
  explicit LegSelector(Role role) : role_(role) {}

  Role role_;
  pbx::LegId leg_{};
  std::string party_{};
};

}  // namespace pbxd::rest
