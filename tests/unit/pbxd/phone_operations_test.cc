// The phone-services operations beyond click-to-call and hangup (transfers, hold, DTMF, park,
// pickup, the seed's redirectCall) through pbxd's router over a simulated PBX: parameter
// validation (refused before anything reaches the PBX), leg selection by role, the error
// mapping, and what the phones see. LegSelector on its own first.
#include <doctest/doctest.h>
#include <httplib.h>

#include "examples/pbxd/rest/leg_selector.h"
#include "examples/pbxd/rest/phone_operations.h"
#include "tests/unit/pbxd/rest_fixture.h"

using namespace std::chrono_literals;
using nlohmann::json;
using pbx::call::CallEventType;
using pbx::call::CallInfo;
using pbx::call::LegInfo;
using pbx::test::State;
using pbxd::rest::LegSelector;
using pbxd::rest::test::RestFixture;

namespace {

void CheckError(const httplib::Response& response, int status) {
  CHECK(response.status == status);
  json body = RestFixture::Body(response);
  CHECK(body["code"] == status);
  CHECK(body["error"].is_string());
}

LegInfo Leg(uint64_t id, std::string number, std::string account) {
  LegInfo leg;
  leg.id = pbx::LegId(id);
  leg.party.number = std::move(number);
  leg.party.account = std::move(account);
  return leg;
}

// Alice (100) called Bob (101): legs L1 (Alice) and L2 (Bob).
CallInfo AliceCallsBob() {
  CallInfo call;
  call.id = pbx::CallId(7);
  call.caller = {"100", "Alice", "100"};
  call.callee = {"101", "Bob", "101"};
  call.legs = {Leg(1, "100", "100"), Leg(2, "101", "101")};
  return call;
}

// The REST fixture with Dave (103) registered too, and a helper to make an answered call.
struct Phones : RestFixture {
  pbx::testing::SimPhone& dave = pbx.addPhone("103", "pw103");
  std::vector<pbx::call::CallEvent> events;
  pbx::call::EventSubscriptionPtr subscription;

  Phones() {
    REQUIRE(dave.registerAccount() == 200);
    auto s = pbx.calls().events().subscribe(
        {}, std::nullopt, [this](const pbx::call::CallEvent& e) { events.push_back(e); });
    REQUIRE(s.ok());
    subscription = std::move(*s);
  }

  // Alice calls Bob and Bob answers; returns the call's linkedid.
  std::string answeredCall(pbx::testing::SimCall** aliceEnd, pbx::testing::SimCall** bobEnd) {
    auto& out = alice.call("101");
    pbx.runPending();
    auto* in = bob.incoming();
    REQUIRE(in != nullptr);
    in->answer();
    pbx.runPending();
    REQUIRE(out.state() == State::kAnswered);
    *aliceEnd = &out;
    *bobEnd = in;
    std::string linkedid;
    pbx.calls().listCalls([&](std::vector<CallInfo> calls) {
      REQUIRE(calls.size() == 1);
      linkedid = calls[0].id.str();
    });
    pbx.runPending();
    return linkedid;
  }

  httplib::Response post(const std::string& target) {
    httplib::Response response;
    // (The header is passed, not defaulted: GCC 12 warns of a maybe-uninitialized optional.)
    call(request("POST", target, "", authHeader()), response);
    return response;
  }

  bool saw(CallEventType type) const { return last(type) != nullptr; }
  const pbx::call::CallEvent* last(CallEventType type) const {
    for (auto it = events.rbegin(); it != events.rend(); ++it)
      if (it->type == type) return &*it;
    return nullptr;
  }
};

// Media flows both ways between two answered phones.
void CheckTalking(pbx::testing::SimCall& a, pbx::testing::SimCall& b) {
  uint64_t atA = a.rtpReceived(), atB = b.rtpReceived();
  CHECK(a.sendRtp(10));
  CHECK(b.sendRtp(7));
  CHECK(b.rtpReceived() == atB + 10);
  CHECK(a.rtpReceived() == atA + 7);
}

}  // namespace

TEST_CASE("a LegSelector parses caller, callee and leg ids, and nothing else") {
  CHECK(LegSelector::Parse("caller", "to")->role() == LegSelector::Role::kCaller);
  CHECK(LegSelector::Parse("callee", "to")->role() == LegSelector::Role::kCallee);
  auto leg = LegSelector::Parse("L2a", "to");
  REQUIRE(leg.ok());
  CHECK(leg->role() == LegSelector::Role::kLeg);
  CHECK(leg->leg() == pbx::LegId(0x2A));
  CHECK_FALSE(leg->needsLegs());
  for (const char* bad : {"", "Caller", "callee ", "L", "L0", "C1", "Lx", "both"}) {
    CAPTURE(bad);
    auto parsed = LegSelector::Parse(bad, "to");
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(parsed.status().message().find("to must be") != absl::string_view::npos);
  }
}

TEST_CASE("a LegSelector resolves roles against the call's legs") {
  CallInfo call = AliceCallsBob();
  CHECK(*LegSelector::Caller().resolve(call) == pbx::LegId(1));
  CHECK(*LegSelector::Callee().resolve(call) == pbx::LegId(2));
  CHECK(*LegSelector::Leg(pbx::LegId(2)).resolve(call) == pbx::LegId(2));
  CHECK(LegSelector::Leg(pbx::LegId(9)).resolve(call).status().code() ==
        absl::StatusCode::kNotFound);
  CHECK(*LegSelector::Party("101").resolve(call) == pbx::LegId(2));
  CHECK(*LegSelector::OppositeParty("101").resolve(call) == pbx::LegId(1));
  CHECK(*LegSelector::OppositeParty("100").resolve(call) == pbx::LegId(2));
  CHECK(LegSelector::Party("103").resolve(call).status().code() == absl::StatusCode::kNotFound);

  // The legs' order does not matter; a call to oneself is told apart by account.
  std::swap(call.legs[0], call.legs[1]);
  CHECK(*LegSelector::Caller().resolve(call) == pbx::LegId(1));
  CHECK(*LegSelector::Callee().resolve(call) == pbx::LegId(2));
  CallInfo self = AliceCallsBob();
  self.callee = {"100", "Alice", "100b"};
  self.legs = {Leg(1, "100", "100"), Leg(2, "100", "100b")};
  CHECK(*LegSelector::Caller().resolve(self) == pbx::LegId(1));
  CHECK(*LegSelector::Callee().resolve(self) == pbx::LegId(2));

  // A caller from a trunk has no account: by number.
  CallInfo trunk = AliceCallsBob();
  trunk.caller = {"+390212345", "", ""};
  trunk.legs = {Leg(1, "+390212345", ""), Leg(2, "101", "101")};
  CHECK(*LegSelector::Caller().resolve(trunk) == pbx::LegId(1));

  // Not yet (only the caller) and no longer (the caller left): 409, not 404.
  CallInfo routing = AliceCallsBob();
  routing.legs.pop_back();
  CHECK(LegSelector::Callee().resolve(routing).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  CHECK(LegSelector::OppositeParty("100").resolve(routing).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  CallInfo left = AliceCallsBob();
  left.legs.erase(left.legs.begin());
  CHECK(LegSelector::Caller().resolve(left).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  CHECK(*LegSelector::Callee().resolve(left) == pbx::LegId(2));

  // Among the calls of listCalls().
  std::vector<CallInfo> calls = {AliceCallsBob()};
  CHECK(*LegSelector::Callee().resolve(calls, pbx::CallId(7)) == pbx::LegId(2));
  CHECK(LegSelector::Callee().resolve(calls, pbx::CallId(8)).status().code() ==
        absl::StatusCode::kNotFound);
}

TEST_CASE("DTMF digits: 1 to 64 of 0-9 * # A-D") {
  using pbxd::rest::operations::IsDtmfDigits;
  CHECK(IsDtmfDigits("0123456789*#ABCDabcd"));
  CHECK(IsDtmfDigits(std::string(64, '5')));
  CHECK_FALSE(IsDtmfDigits(""));
  CHECK_FALSE(IsDtmfDigits(std::string(65, '5')));
  for (const char* bad : {"1E", "1 2", "+", "%23", "x"}) {
    CAPTURE(bad);
    CHECK_FALSE(IsDtmfDigits(bad));
  }
  CHECK_FALSE(IsDtmfDigits(std::string("1\0", 2)));
}

TEST_CASE("the call operations refuse malformed parameters with 400, before the PBX") {
  RestFixture t;  // nothing runs the simulated PBX: a request that reached it would get 504
  const std::vector<std::string> refused = {
      "/rest/phoneServices/blindTransfer/C0/103",
      "/rest/phoneServices/blindTransfer/C1/103?stays=nobody",
      "/rest/phoneServices/blindTransfer/C1/103?stays=",
      "/rest/phoneServices/attendedTransfer/C1/2",
      "/rest/phoneServices/attendedTransfer/x/C2",
      "/rest/phoneServices/hold/L1",
      "/rest/phoneServices/hold/C1?leg=C2",
      "/rest/phoneServices/unhold/C1?leg=everyone",
      "/rest/phoneServices/dtmf/C1/12E",
      "/rest/phoneServices/dtmf/C1/" + std::string(65, '1'),
      "/rest/phoneServices/dtmf/C1/12?to=both",
      "/rest/phoneServices/dtmf/nope/12",
      "/rest/phoneServices/park/C1?stays=L",
      "/rest/phoneServices/park/1",
      "/api/pbx/v2/phoneService/redirectCall/101/internal/103",
      "/api/pbx/v2/phoneService/redirectCall/C/internal/103/100",
  };
  for (const std::string& target : refused) {
    CAPTURE(target);
    httplib::Response response;
    t.dispatch(t.request("POST", target), response);
    CheckError(response, 400);
  }
  // A query parameter given twice is ambiguous.
  auto twice = t.request("POST", "/rest/phoneServices/hold/C1");
  twice.params.emplace("leg", "caller");
  twice.params.emplace("leg", "callee");
  httplib::Response response;
  t.dispatch(twice, response);
  CheckError(response, 400);
  t.pbx.runPending();
  CHECK(t.pbx.activeCalls() == 0);
}

TEST_CASE("the call operations are served on their methods only, and need credentials") {
  RestFixture t;
  for (const char* target :
       {"/rest/phoneServices/hold/C1", "/rest/phoneServices/unhold/C1",
        "/rest/phoneServices/blindTransfer/C1/103", "/rest/phoneServices/dtmf/C1/1",
        "/rest/phoneServices/park/C1", "/rest/phoneServices/unpark/890/103",
        "/rest/phoneServices/pickup/101/103", "/rest/phoneServices/attendedTransfer/C1/C2"}) {
    CAPTURE(target);
    httplib::Response get, anonymous;
    t.dispatch(t.request("GET", target), get);
    CheckError(get, 405);
    CHECK(get.get_header_value("Allow") == "POST");
    t.dispatch(t.request("POST", target, "", ""), anonymous);
    CheckError(anonymous, 401);
  }
  httplib::Response redirect;
  t.dispatch(t.request("DELETE", "/api/pbx/v2/phoneService/redirectCall/C1/internal/103"),
             redirect);
  CheckError(redirect, 405);
  CHECK(redirect.get_header_value("Allow") == "GET, POST");
}

TEST_CASE("operations on a call that is not there get 404; on an unanswered one 409") {
  Phones t;
  for (const char* target :
       {"/rest/phoneServices/hold/C7F", "/rest/phoneServices/unhold/C7F?leg=L1",
        "/rest/phoneServices/blindTransfer/C7F/103", "/rest/phoneServices/dtmf/C7F/1",
        "/rest/phoneServices/dtmf/C7F/1?to=caller", "/rest/phoneServices/park/C7F",
        "/rest/phoneServices/attendedTransfer/C7F/C7E", "/rest/phoneServices/unpark/890/103",
        "/rest/phoneServices/pickup/101/103",
        "/api/pbx/v2/phoneService/redirectCall/C7F/internal/103/101"}) {
    CAPTURE(target);
    CheckError(t.post(target), 404);
  }

  auto& ringing = t.alice.call("101");
  t.pbx.runPending();
  REQUIRE(t.bob.incoming() != nullptr);
  std::string linkedid;
  t.pbx.calls().listCalls([&](std::vector<CallInfo> calls) { linkedid = calls.at(0).id.str(); });
  t.pbx.runPending();
  for (const std::string op : {"hold/", "blindTransfer/", "park/", "dtmf/"}) {
    CAPTURE(op);
    std::string target = "/rest/phoneServices/" + op + linkedid;
    if (op == "blindTransfer/") target += "/103";
    if (op == "dtmf/") target += "/1";
    CheckError(t.post(target), 409);
  }
  CHECK(ringing.state() == State::kRinging);
  CHECK(t.dave.incoming() == nullptr);
}

TEST_CASE("hold and unhold: every leg by default, one leg by role or id") {
  Phones t;
  pbx::testing::SimCall *alice, *bob;
  std::string linkedid = t.answeredCall(&alice, &bob);

  auto held = t.post("/rest/phoneServices/hold/" + linkedid);
  CHECK(held.status == 200);
  CHECK(RestFixture::Body(held) == json{{"linkedid", linkedid}});
  CHECK(alice->reinvitesReceived() == 1);
  CHECK(bob->reinvitesReceived() == 1);
  CHECK(bob->remoteSdp().find("a=sendonly") != std::string::npos);
  CHECK(alice->sendRtp(3));
  CHECK(bob->rtpReceived() == 0);

  auto resumed = t.post("/rest/phoneServices/unhold/" + linkedid);
  CHECK(resumed.status == 200);
  CHECK(bob->remoteSdp().find("a=sendrecv") != std::string::npos);
  CheckTalking(*alice, *bob);

  // Only the callee.
  CHECK(t.post("/rest/phoneServices/hold/" + linkedid + "?leg=callee").status == 200);
  CHECK(bob->reinvitesReceived() == 3);
  CHECK(alice->reinvitesReceived() == 2);
  REQUIRE(t.last(CallEventType::kHeld) != nullptr);
  CHECK(t.last(CallEventType::kHeld)->party.number == "101");
  // ...resumed by its id, as activeCalls lists it.
  httplib::Response list;
  t.call(t.request("GET", "/rest/phoneServices/activeCalls"), list);
  std::string bobLeg;
  const json listed = RestFixture::Body(list);
  for (const auto& leg : listed["calls"][0]["legs"]) {
    if (leg["party"]["number"] == "101") {
      CHECK(leg["held"] == true);
      bobLeg = leg["id"];
    }
  }
  auto byId = t.post("/rest/phoneServices/unhold/" + linkedid + "?leg=" + bobLeg);
  CAPTURE(byId.body);
  CHECK(byId.status == 200);
  REQUIRE(t.last(CallEventType::kResumed) != nullptr);
  CHECK(t.last(CallEventType::kResumed)->party.number == "101");
  CheckTalking(*alice, *bob);
  CheckError(t.post("/rest/phoneServices/hold/" + linkedid + "?leg=L7FFF"), 404);

  // A phone that refuses the re-INVITE: 409, and the call goes on.
  t.bob.options().rejectReinvitesWith = 488;
  CheckError(t.post("/rest/phoneServices/hold/" + linkedid + "?leg=callee"), 409);
  CheckTalking(*alice, *bob);
}

TEST_CASE("DTMF goes to the callee by default, to the caller on request, as SIP INFO") {
  Phones t;
  pbx::testing::SimCall *alice, *bob;
  std::string linkedid = t.answeredCall(&alice, &bob);

  // "#" arrives percent-decoded by httplib; the router sees the digit.
  auto toCallee = t.post("/rest/phoneServices/dtmf/" + linkedid + "/1#");
  REQUIRE(toCallee.status == 200);
  json body = RestFixture::Body(toCallee);
  CHECK(body["linkedid"] == linkedid);
  CHECK(body["leg"].get<std::string>().front() == 'L');
  REQUIRE(bob->infos().size() == 2);
  CHECK(bob->infos()[0].find("application/dtmf-relay") == 0);
  CHECK(bob->infos()[0].find("Signal=1\r\n") != std::string::npos);
  CHECK(bob->infos()[1].find("Signal=#") != std::string::npos);
  CHECK(alice->infos().empty());

  CHECK(t.post("/rest/phoneServices/dtmf/" + linkedid + "/9a?to=caller").status == 200);
  REQUIRE(alice->infos().size() == 2);
  CHECK(alice->infos()[1].find("Signal=A") != std::string::npos);
  CHECK(bob->infos().size() == 2);

  // By leg id: the answer names the leg that got the digits.
  std::string callerLeg =
      RestFixture::Body(t.post("/rest/phoneServices/dtmf/" + linkedid + "/5?to=caller"))["leg"];
  CHECK(RestFixture::Body(t.post("/rest/phoneServices/dtmf/" + linkedid +
                                 "/6?to=" + callerLeg))["leg"] == callerLeg);
  CHECK(alice->infos().size() == 4);
}

TEST_CASE("blind transfer: the destination rings for the caller, the callee is hung up") {
  Phones t;
  pbx::testing::SimCall *alice, *bob;
  std::string linkedid = t.answeredCall(&alice, &bob);

  CheckError(t.post("/rest/phoneServices/blindTransfer/" + linkedid + "/999"), 404);
  auto transferring = t.post("/rest/phoneServices/blindTransfer/" + linkedid + "/103");
  CHECK(transferring.status == 200);
  CHECK(RestFixture::Body(transferring) == json{{"linkedid", linkedid}});
  auto* atDave = t.dave.incoming();
  REQUIRE(atDave != nullptr);
  CHECK(atDave->number() == "100");
  CHECK(bob->state() == State::kAnswered);  // until Dave answers
  CheckError(t.post("/rest/phoneServices/blindTransfer/" + linkedid + "/103"), 409);
  atDave->answer();
  t.pbx.runPending();
  CHECK(bob->state() == State::kEnded);
  CHECK(alice->state() == State::kAnswered);
  CheckTalking(*alice, *atDave);
  REQUIRE(t.last(CallEventType::kTransferred) != nullptr);
  CHECK(t.last(CallEventType::kTransferred)->detail == "103");
}

TEST_CASE("blind transfer with ?stays=callee keeps the callee") {
  Phones t;
  pbx::testing::SimCall *alice, *bob;
  std::string linkedid = t.answeredCall(&alice, &bob);
  CHECK(t.post("/rest/phoneServices/blindTransfer/" + linkedid + "/103?stays=callee").status ==
        200);
  auto* atDave = t.dave.incoming();
  REQUIRE(atDave != nullptr);
  CHECK(atDave->number() == "101");
  atDave->answer();
  t.pbx.runPending();
  CHECK(alice->state() == State::kEnded);
  CheckTalking(*bob, *atDave);
}

TEST_CASE("redirectCall: a blind transfer; {source} is the party that leaves") {
  Phones t;
  pbx::testing::SimCall *alice, *bob;
  std::string linkedid = t.answeredCall(&alice, &bob);
  const std::string base = "/api/pbx/v2/phoneService/redirectCall/" + linkedid + "/internal/";
  CheckError(t.post(base + "103/102"), 404);  // 102 is not in the call

  // Alice (the caller) redirects the call: Bob stays and talks to Dave. By GET, as the seed.
  httplib::Response redirected;
  t.call(t.request("GET", base + "103/100"), redirected);
  CHECK(redirected.status == 200);
  CHECK(RestFixture::Body(redirected) == json{{"linkedid", linkedid}});
  auto* atDave = t.dave.incoming();
  REQUIRE(atDave != nullptr);
  CHECK(atDave->number() == "101");
  atDave->answer();
  t.pbx.runPending();
  CHECK(alice->state() == State::kEnded);
  CheckTalking(*bob, *atDave);

  // Without {source}: the caller stays (the seed's redirect of the call it rings with).
  Phones u;
  std::string second = u.answeredCall(&alice, &bob);
  CHECK(u.post("/api/pbx/v2/phoneService/redirectCall/" + second + "/internal/103").status == 200);
  REQUIRE(u.dave.incoming() != nullptr);
  CHECK(u.dave.incoming()->number() == "100");
}

TEST_CASE("park answers the slot; unpark rings a destination for it") {
  Phones t;
  pbx::testing::SimCall *alice, *bob;
  std::string linkedid = t.answeredCall(&alice, &bob);

  auto parked = t.post("/rest/phoneServices/park/" + linkedid);
  REQUIRE(parked.status == 200);
  CHECK(RestFixture::Body(parked) == json{{"linkedid", linkedid}, {"slot", "890"}});
  CHECK(bob->state() == State::kEnded);
  CHECK(alice->state() == State::kAnswered);
  CHECK(t.saw(CallEventType::kParked));

  CheckError(t.post("/rest/phoneServices/unpark/895/103"), 404);
  CheckError(t.post("/rest/phoneServices/unpark/890/102"), 409);  // nothing registered
  auto unparked = t.post("/rest/phoneServices/unpark/890/103");
  CHECK(unparked.status == 200);
  CHECK(RestFixture::Body(unparked) == json{{"linkedid", linkedid}});
  REQUIRE(t.dave.incoming() != nullptr);
  t.dave.incoming()->answer();
  t.pbx.runPending();
  CheckTalking(*alice, *t.dave.calls().back());
}

TEST_CASE("every park slot taken: 503") {
  auto options = pbx::test::DemoOptions();
  options.routing.numbering.parkSlots = {"890"};
  RestFixture t(pbxd::rest::test::FastOptions(), options);
  auto& dave = t.pbx.addPhone("103", "pw103");
  REQUIRE(dave.registerAccount() == 200);
  std::vector<std::string> ids;
  for (auto* caller : {&t.alice, &dave}) {
    auto& out = caller->call("101");
    t.pbx.runPending();
    REQUIRE(t.bob.incoming() != nullptr);
    t.bob.incoming()->answer();
    t.pbx.runPending();
    REQUIRE(out.state() == State::kAnswered);
  }
  t.pbx.calls().listCalls([&](std::vector<CallInfo> calls) {
    for (const auto& c : calls) ids.push_back(c.id.str());
  });
  t.pbx.runPending();
  REQUIRE(ids.size() == 2);
  httplib::Response first, second;
  t.call(t.request("POST", "/rest/phoneServices/park/" + ids[0]), first);
  CHECK(first.status == 200);
  t.call(t.request("POST", "/rest/phoneServices/park/" + ids[1]), second);
  CheckError(second, 503);
}

TEST_CASE("pickup rings the destination alongside the ringing extension") {
  Phones t;
  auto& out = t.alice.call("101");
  t.pbx.runPending();
  auto* atBob = t.bob.incoming();
  REQUIRE(atBob != nullptr);
  auto picked = t.post("/rest/phoneServices/pickup/101/103");
  REQUIRE(picked.status == 200);
  std::string linkedid = RestFixture::Body(picked)["linkedid"];
  CHECK(linkedid.front() == 'C');
  REQUIRE(t.dave.incoming() != nullptr);
  t.dave.incoming()->answer();
  t.pbx.runPending();
  CHECK(atBob->state() == State::kEnded);
  CheckTalking(out, *t.dave.calls().back());
  CheckError(t.post("/rest/phoneServices/pickup/101/103"), 404);  // nothing rings there now
}

TEST_CASE("attended transfer connects the other parties of two calls") {
  Phones t;
  // Bob calls Alice, then Dave; the API connects Alice and Dave.
  auto& first = t.bob.call("100");
  t.pbx.runPending();
  t.alice.incoming()->answer();
  t.pbx.runPending();
  auto& second = t.bob.call("103");
  t.pbx.runPending();
  t.dave.incoming()->answer();
  t.pbx.runPending();
  REQUIRE(first.state() == State::kAnswered);
  REQUIRE(second.state() == State::kAnswered);
  std::vector<std::string> ids;
  t.pbx.calls().listCalls([&](std::vector<CallInfo> calls) {
    for (const auto& c : calls) ids.push_back(c.id.str());
  });
  t.pbx.runPending();
  REQUIRE(ids.size() == 2);

  CheckError(t.post("/rest/phoneServices/attendedTransfer/" + ids[0] + "/" + ids[0]), 400);
  auto joined = t.post("/rest/phoneServices/attendedTransfer/" + ids[0] + "/" + ids[1]);
  CHECK(joined.status == 200);
  CHECK(RestFixture::Body(joined) == json{{"linkedid", ids[0]}});
  CHECK(first.state() == State::kEnded);
  CHECK(second.state() == State::kEnded);
  CheckTalking(*t.alice.calls().back(), *t.dave.calls().back());
  CHECK(t.pbx.activeCalls() == 1);
}

TEST_CASE("a PBX that does not complete a call operation in time gets 504") {
  RestFixture t;  // nothing runs the simulated PBX during dispatch()
  for (const char* target :
       {"/rest/phoneServices/hold/C1", "/rest/phoneServices/dtmf/C1/1?to=caller",
        "/rest/phoneServices/blindTransfer/C1/103?stays=callee", "/rest/phoneServices/park/C1",
        "/rest/phoneServices/unpark/890/103", "/rest/phoneServices/pickup/101/103",
        "/api/pbx/v2/phoneService/redirectCall/C1/internal/103/100"}) {
    CAPTURE(target);
    httplib::Response response;
    t.dispatch(t.request("POST", target), response);
    CheckError(response, 504);
  }
  t.pbx.runPending();  // the late completions (and leg look-ups) find nobody waiting
}
