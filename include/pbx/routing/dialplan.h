// Dialplan: decides what happens to each new inbound call.
//
// Call control asks the dialplan once per authenticated INVITE, on the signaling thread. The
// dialplan answers through `decide`, either before route() returns or later from any thread
// (it may ask a database or a web service first); meanwhile the caller hears ringing. A call
// with no decision after RoutingOptions::decisionTimeout ends with Cause::kDialplanError.
//
//   class ByCaller : public pbx::routing::Dialplan {
//     void route(const IncomingCall& call, DecisionCallback decide) override {
//       if (call.caller.number == "100") return decide(Decision::Ring({{"101"}, {"102"}}));
//       decide(Decision::Reject(pbx::call::Cause::kDeclined));
//     }
//   };
//   pbx->calls().setDialplan(std::make_shared<ByCaller>());
//
// Replacing the dialplan is atomic; a call keeps the dialplan it started with.
// The default dialplan (DefaultDialplan()) is the extension directory: a dialled extension
// rings every registered device of it; the park extension (888) parks the caller in the first
// free slot (890-899), a slot picks up the call parked there, "**" + an extension picks up a
// call ringing at that extension and "*9" the newest call ringing in the caller's pickup
// groups; anything else is kNoRoute (404).
//
// Thread-safety: route() runs on the signaling thread and must not block; `decide` may be
// called from any thread, once (later calls are ignored).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "pbx/call/call_types.h"

namespace pbx::routing {

struct IncomingCall {
  CallId id;
  call::Party caller;       // the authenticated account's extension and name
  std::string destination;  // the dialled number (Request-URI user part)
  std::string requestUri;   // the whole Request-URI, "sip:101@pbx.example"
  std::string sipCallId;
  std::string userAgent;
};

// One destination to ring: an extension number, or a SIP URI ("sip:alice@192.0.2.10:5060").
struct RingTarget {
  std::string destination;
  std::chrono::seconds timeout{0};  // 0: sip.noAnswerTimeout
};

enum class RingStrategy {
  kParallel,    // every target at once; the first to answer wins
  kSequential,  // one after the other, each for its timeout
};

struct Decision {
  enum class Kind {
    kRing,    // ring `targets`; if none answers the call ends (busy, no answer, ...)
    kReject,  // refuse the call with `cause` (and `sipStatus`, if set)
    kAnswer,  // answer the call and leave it to the program (CallControl operations)
    kPark,    // answer and park the caller in a free slot (the kParked event names it)
    kUnpark,  // connect the caller to the call parked in `slot`
    kPickup,  // connect the caller to a call ringing at extension `target` (empty: the
              // newest call ringing in one of the caller's pickup groups)
  };
  Kind kind = Kind::kReject;
  std::vector<RingTarget> targets{};
  RingStrategy strategy = RingStrategy::kParallel;
  call::Cause cause = call::Cause::kNoRoute;
  int sipStatus = 0;       // kReject: overrides SipStatusFor(cause) when set
  std::string slot{};      // kUnpark
  std::string target{};    // kPickup
  std::string callUuid{};  // a correlation id echoed in every event of the call

  static Decision Ring(std::vector<RingTarget> targets,
                       RingStrategy strategy = RingStrategy::kParallel);
  static Decision Reject(call::Cause cause, int sipStatus = 0);
  static Decision Answer();
  static Decision Park();
  static Decision Unpark(std::string slot);
  static Decision Pickup(std::string extension);  // empty: group pickup
};

using DecisionCallback = std::function<void(Decision decision)>;

class Dialplan {
 public:
  virtual ~Dialplan() = default;
  virtual void route(const IncomingCall& call, DecisionCallback decide) = 0;
};
using DialplanPtr = std::shared_ptr<Dialplan>;

// The numbers of the PBX's own services, as the default dialplan knows them.
struct NumberingPlan {
  std::string parkExtension = "888";
  std::vector<std::string> parkSlots = {"890", "891", "892", "893", "894",
                                        "895", "896", "897", "898", "899"};
  std::string directedPickupPrefix = "**";  // "**101" picks up a call ringing at 101
  std::string groupPickupCode = "*9";
};

// The extension directory as a dialplan (see the banner). `isExtension` says whether a number
// is an extension of the PBX's directory at the time of the call.
DialplanPtr DefaultDialplan(NumberingPlan plan,
                            std::function<bool(const std::string& number)> isExtension);

}  // namespace pbx::routing
