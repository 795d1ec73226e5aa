#include "examples/pbxd/rest/phone_operations.h"

#include <httplib.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "examples/pbxd/rest/call_json.h"
#include "examples/pbxd/rest/leg_selector.h"

namespace pbxd::rest::operations {
namespace {

using nlohmann::json;
using pbx::CallId;
using pbx::LegId;
using pbx::call::CallControl;
using pbx::call::CallInfo;
using Done = PhoneServices::ResultCallback;

constexpr size_t kMaxDtmfDigits = 64;

}  // namespace

pbx::call::Completion NoFields(Done done) {
  return [done = std::move(done)](absl::Status status) {
    if (!status.ok()) return done(status);
    done(json::object());
  };
}

absl::StatusOr<std::optional<LegSelector>> QueryLeg(const httplib::Request& request,
                                                    const char* name) {
  if (!request.has_param(name)) return std::nullopt;
  if (request.get_param_value_count(name) > 1)
    return absl::InvalidArgumentError(absl::StrCat(name, " is given more than once"));
  auto selector = LegSelector::Parse(request.get_param_value(name), name);
  if (!selector.ok()) return selector.status();
  return std::optional<LegSelector>(*std::move(selector));
}

void WithLeg(CallControl& calls, CallId id, const LegSelector& which,
             std::function<void(LegId)> then, Done done) {
  if (!which.needsLegs()) return then(which.leg());
  calls.listCalls(
      [which, id, then = std::move(then), done = std::move(done)](std::vector<CallInfo> list) {
        auto leg = which.resolve(list, id);
        if (!leg.ok()) return done(leg.status());
        then(*leg);
      });
}

void WithOptionalLeg(CallControl& calls, const RequestContext& request, const char* name, CallId id,
                     std::function<void(LegId)> then, Done done) {
  auto which = QueryLeg(request.http, name);
  if (!which.ok()) return done(which.status());
  if (!*which) return then(LegId());
  WithLeg(calls, id, **which, std::move(then), std::move(done));
}

bool IsDtmfDigits(std::string_view digits) {
  return !digits.empty() && digits.size() <= kMaxDtmfDigits &&
         std::all_of(digits.begin(), digits.end(), [](char c) {
           return absl::ascii_isdigit(static_cast<unsigned char>(c)) ||
                  (c != '\0' && std::strchr("*#ABCDabcd", c) != nullptr);
         });
}

PhoneServices::CallOperation Hangup() {
  return [](CallControl& calls, const RequestContext&, CallId id, Done done) {
    calls.hangup(id, pbx::call::Cause::kNormalClearing, NoFields(std::move(done)));
  };
}

PhoneServices::CallOperation BlindTransfer() {
  return [](CallControl& calls, const RequestContext& request, CallId id, Done done) {
    std::string destination = request.param("destination");
    WithOptionalLeg(
        calls, request, "stays", id,
        [calls = &calls, id, destination, done](LegId stays) {
          calls->blindTransfer(id, destination, stays, NoFields(done));
        },
        done);
  };
}

PhoneServices::CallOperation AttendedTransfer() {
  return [](CallControl& calls, const RequestContext& request, CallId id, Done done) {
    std::optional<CallId> second = ParseLinkedId(request.param("linkedid2"));
    if (!second)
      return done(
          absl::InvalidArgumentError("linkedid2 must look like C1F (as the API writes it)"));
    calls.attendedTransfer(id, *second, NoFields(std::move(done)));
  };
}

PhoneServices::CallOperation Hold(bool hold) {
  return [hold](CallControl& calls, const RequestContext& request, CallId id, Done done) {
    WithOptionalLeg(
        calls, request, "leg", id,
        [calls = &calls, id, hold, done](LegId leg) {
          if (hold) return calls->hold(id, leg, NoFields(done));
          calls->unhold(id, leg, NoFields(done));
        },
        done);
  };
}

PhoneServices::CallOperation SendDtmf() {
  return [](CallControl& calls, const RequestContext& request, CallId id, Done done) {
    std::string digits = request.param("digits");
    if (!IsDtmfDigits(digits))
      return done(absl::InvalidArgumentError(absl::StrCat(
          "digits must be 1 to ", kMaxDtmfDigits, " of 0-9 * # A-D (percent-encode # as %23)")));
    auto to = QueryLeg(request.http, "to");
    if (!to.ok()) return done(to.status());
    WithLeg(
        calls, id, to->value_or(LegSelector::Callee()),
        [calls = &calls, id, digits, done](LegId leg) {
          calls->sendDtmf(id, leg, digits, [leg, done](absl::Status status) {
            if (!status.ok()) return done(status);
            done(json{{"leg", leg.str()}});
          });
        },
        done);
  };
}

PhoneServices::CallOperation Park() {
  return [](CallControl& calls, const RequestContext& request, CallId id, Done done) {
    WithOptionalLeg(
        calls, request, "stays", id,
        [calls = &calls, id, done](LegId stays) {
          calls->park(id, stays, [done](absl::StatusOr<std::string> slot) {
            if (!slot.ok()) return done(slot.status());
            done(json{{"slot", *slot}});
          });
        },
        done);
  };
}

PhoneServices::CallOperation RedirectCall() {
  return [](CallControl& calls, const RequestContext& request, CallId id, Done done) {
    std::string destination = request.param("destination");
    auto transfer = [calls = &calls, id, destination, done](LegId stays) {
      calls->blindTransfer(id, destination, stays, NoFields(done));
    };
    const std::string& source = request.param("source");
    if (source.empty()) return transfer(LegId());
    WithLeg(calls, id, LegSelector::OppositeParty(source), transfer, done);
  };
}

PhoneServices::FindOperation Unpark() {
  return [](CallControl& calls, const RequestContext& request,
            std::function<void(absl::StatusOr<CallId>)> done) {
    calls.unpark(request.param("slot"), request.param("destination"), std::move(done));
  };
}

PhoneServices::FindOperation Pickup() {
  return [](CallControl& calls, const RequestContext& request,
            std::function<void(absl::StatusOr<CallId>)> done) {
    calls.pickup(request.param("ringing_exten"), request.param("destination"), std::move(done));
  };
}

}  // namespace pbxd::rest::operations
