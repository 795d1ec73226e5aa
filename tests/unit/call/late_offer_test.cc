// Late offer (RFC 3264 section 5): a caller's INVITE without SDP. pbxd offers to the callee,
// turns the callee's answer into the offer of its 200 to the caller, and takes the caller's
// answer from the ACK.
#include <doctest/doctest.h>

#include "pbx/sip/sdp.h"
#include "pbx/testing/simulated_signaling_stack.h"
#include "tests/unit/call/fixture.h"

using namespace std::chrono_literals;
using namespace pbx::test;
using pbx::testing::OfferTiming;

namespace {
// Alice calls Carol (103), whose phone does not ring but sends 183 with SDP (early media).
struct EarlyMediaCall {
  EarlyMediaCall(TwoPhones& t, OfferTiming offer)
      : carol(t.pbx.addPhone("103", "pw103", Manual())) {
    REQUIRE(carol.registerAccount() == 200);
    out = &t.alice.call("103", offer);
    t.pbx.runPending();
    REQUIRE(carol.incoming() != nullptr);
    carol.incoming()->sessionProgress();
    t.pbx.runPending();
  }
  static pbx::testing::SimPhoneOptions Manual() {
    pbx::testing::SimPhoneOptions manual;
    manual.autoRing = false;
    return manual;
  }
  pbx::testing::SimPhone& carol;
  pbx::testing::SimCall* out = nullptr;
};
}  // namespace

TEST_CASE(
    "late offer: pbxd offers every codec it has to the callee and the caller answers in its ACK") {
  TwoPhones t;
  auto [caller, in] = t.ringingCall(OfferTiming::kInAck);
  auto& out = *caller;
  CHECK(out.state() == State::kRinging);

  // The callee got pbxd's own offer, anchored at the relay.
  auto offer = pbx::sip::SessionDescription::Parse(in->remoteSdp());
  REQUIRE(offer.ok());
  auto audio = offer->findMedia("audio");
  REQUIRE(audio);
  // Opus (dynamic), G.722, G.711 µ-law and A-law, telephone-event: all pbxkit transcodes.
  CHECK(offer->media[*audio].formats == std::vector<std::string>{"96", "9", "0", "8", "101"});
  CHECK(in->remoteMedia().ip() == "127.0.0.1");
  CHECK(in->remoteMedia().port() != 0);

  in->answer();
  t.pbx.runPending();
  REQUIRE(out.state() == State::kAnswered);
  // The caller's 200 carries the offer: the callee's codecs, pbxd's address.
  CHECK(out.remoteMedia().ip() == "127.0.0.1");
  CHECK(out.remoteMedia() != in->remoteMedia());
  CHECK(out.remoteSdp().find("PCMU/8000") != std::string::npos);

  // The answer in the ACK told the relay where the caller wants media.
  CHECK(in->sendRtp(30));
  CHECK(out.rtpReceived() == 30);
  CHECK(out.sendRtp(20));
  CHECK(in->rtpReceived() == 20);
  CHECK(t.pbx.activeCalls() == 1);

  out.hangup();
  t.pbx.runPending();
  CHECK(in->state() == State::kEnded);
  CHECK(t.pbx.activeCalls() == 0);
}

TEST_CASE("late offer: an ACK without an answer ends the call on both legs") {
  TwoPhones t;
  auto [out, in] = t.ringingCall(OfferTiming::kNever);
  in->answer();
  t.pbx.runPending();
  CHECK(out->state() == State::kEnded);
  CHECK(out->endReason() == "remote-bye");
  CHECK(in->state() == State::kEnded);
  CHECK(in->endReason() == "remote-bye");
  CHECK(t.pbx.activeCalls() == 0);
  CHECK(t.pbx.media().stats().relaysActive == 0);
  CHECK(t.pbx.metrics().value("pbx_calls_answered_total") == 1);
}

TEST_CASE("early media: a callee's 183 with SDP reaches the caller anchored at the relay") {
  TwoPhones t;
  EarlyMediaCall c(t, OfferTiming::kInInvite);
  auto& carol = c.carol;
  auto& out = *c.out;
  CHECK(out.provisionals() == std::vector<int>{183});
  CHECK(out.state() == State::kEarly);
  CHECK(out.remoteMedia().ip() == "127.0.0.1");
  CHECK(out.remoteMedia() != carol.incoming()->localMedia());
}

TEST_CASE("late offer: early media from the callee reaches the caller as plain ringing") {
  TwoPhones t;
  EarlyMediaCall c(t, OfferTiming::kInAck);
  auto& carol = c.carol;
  auto& out = *c.out;
  // An unreliable 18x cannot carry an offer, so the caller hears 180 without SDP.
  CHECK(out.provisionals() == std::vector<int>{180});
  CHECK(out.state() == State::kRinging);
  CHECK(out.remoteSdp().empty());
  carol.incoming()->answer();
  t.pbx.runPending();
  CHECK(out.state() == State::kAnswered);
  CHECK(carol.incoming() == nullptr);
}

TEST_CASE("an offerless re-INVITE: pbxd offers in its 200 and applies the answer in the ACK") {
  TwoPhones t;
  auto [out, in] = t.answeredCall();
  // Alice puts Bob on hold by answering pbxd's offer with sendonly: Bob's media stops.
  out->reinviteWithoutOffer("sendonly");
  t.pbx.runPending();
  CHECK(out->lastReinviteStatus() == 200);
  CHECK(out->remoteSdp().find("m=audio") != std::string::npos);
  CHECK(in->sendRtp(10));
  CHECK(out->rtpReceived() == 0);
  // Taking the call off hold the same way lets it through again.
  out->reinviteWithoutOffer("sendrecv");
  t.pbx.runPending();
  CHECK(in->sendRtp(10));
  CHECK(out->rtpReceived() == 10);
  CHECK(t.pbx.activeCalls() == 1);
}

TEST_CASE("the simulated stack forgets dialogs once their calls have ended") {
  TwoPhones t;
  for (int i = 0; i < 20; ++i) {
    auto [out, in] = t.answeredCall();
    (i % 2 ? out : in)->hangup();
    t.pbx.runPending();
  }
  auto& rejected = t.alice.call("404");
  t.pbx.runPending();
  CHECK(rejected.finalStatus() == 404);
  CHECK(t.pbx.activeCalls() == 0);
  CHECK(t.pbx.stack().dialogCount() == 0);
  CHECK(t.pbx.stack().pendingTransactions() == 0);
}
