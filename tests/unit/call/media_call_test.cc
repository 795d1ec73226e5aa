// Calls whose phones negotiate different codecs, on simulated time: pbxkit transcodes, carries
// tones at their frequency both ways, and carries DTMF from one phone to the other in the
// other's own method.
#include <doctest/doctest.h>

#include <cmath>

#include "tests/unit/call/fixture.h"

using namespace std::chrono_literals;
using namespace pbx::test;
using pbx::media::DtmfMethod;

namespace {

// Alice and Bob with real audio and the codecs given; Alice calls Bob and Bob answers.
struct MediaCall : TwoPhones {
  MediaCall(std::vector<std::string> aliceCodecs, std::vector<std::string> bobCodecs,
            bool aliceEvents = true, bool bobEvents = true) {
    Configure(alice, std::move(aliceCodecs), aliceEvents);
    Configure(bob, std::move(bobCodecs), bobEvents);
    auto [o, i] = answeredCall();
    out = o;
    in = i;
  }
  static void Configure(pbx::testing::SimPhone& phone, std::vector<std::string> codecs,
                        bool events) {
    phone.options().audio = true;
    phone.options().codecs = std::move(codecs);
    phone.options().telephoneEvent = events;
  }
  pbx::testing::SimCall* out = nullptr;
  pbx::testing::SimCall* in = nullptr;
};

bool Near(double measured, double expected) {
  return std::abs(measured - expected) <= expected * 0.02;
}

}  // namespace

TEST_CASE("an Opus phone and a PCMU phone hear each other's tones through the transcoder") {
  MediaCall t({"opus"}, {"PCMU"});
  CHECK(t.out->mediaFormat().codec == "opus");
  CHECK(t.in->mediaFormat().codec == "PCMU");
  t.out->playTone(1000);
  t.in->playTone(440);
  t.pbx.advance(1s);
  CHECK(t.pbx.media().terminatedRelays() == 1);
  CHECK(Near(t.in->receivedFrequency(), 1000));
  CHECK(Near(t.out->receivedFrequency(), 440));
  auto legs = ListCalls(t.pbx).at(0).legs;
  REQUIRE(legs.size() == 2);
  CHECK(legs[0].codec == "OPUS/48000");
  CHECK(legs[1].codec == "PCMU/8000");
  t.out->hangup();
  t.pbx.runPending();
  const std::string metrics = t.pbx.metrics().renderPrometheus();
  CHECK(metrics.find("pbx_call_legs_media_total{codec=\"opus\",path=\"transcoded\"} 1") !=
        std::string::npos);
  CHECK(metrics.find("pbx_call_legs_media_total{codec=\"PCMU\",path=\"transcoded\"} 1") !=
        std::string::npos);
}

TEST_CASE("a G.722 phone and a PCMA phone hear each other's tones") {
  MediaCall t({"G722"}, {"PCMA"});
  CHECK(t.out->mediaFormat().codec == "G722");
  CHECK(t.in->mediaFormat().codec == "PCMA");
  t.out->playTone(1200);
  t.in->playTone(600);
  t.pbx.advance(1s);
  CHECK(Near(t.in->receivedFrequency(), 1200));
  CHECK(Near(t.out->receivedFrequency(), 600));
}

TEST_CASE("phones that share a codec are relayed, not transcoded") {
  MediaCall t({"PCMU", "PCMA"}, {"PCMA", "PCMU"});
  CHECK(t.out->mediaFormat().codec == t.in->mediaFormat().codec);
  t.out->playTone(800);
  t.pbx.advance(1s);
  CHECK(t.pbx.media().terminatedRelays() == 0);
  CHECK(Near(t.in->receivedFrequency(), 800));
}

TEST_CASE("RFC 4733 digits reach a phone without telephone-event as in-band tones") {
  MediaCall t({"opus"}, {"PCMU"}, /*aliceEvents=*/true, /*bobEvents=*/false);
  CHECK(t.out->mediaFormat().telephoneEvent >= 0);
  CHECK(t.in->mediaFormat().telephoneEvent < 0);
  for (char digit : std::string("159#")) {
    t.out->sendDtmf(digit, DtmfMethod::kRfc4733, 120ms);
    t.pbx.advance(400ms);
  }
  t.pbx.advance(500ms);
  CHECK(t.in->receivedDigits(DtmfMethod::kInband) == "159#");
}

TEST_CASE("RFC 4733 digits cross a transcoded call as RFC 4733 when both phones have it") {
  MediaCall t({"opus"}, {"PCMU"});
  for (char digit : std::string("0*7")) {
    t.out->sendDtmf(digit, DtmfMethod::kRfc4733, 100ms);
    t.pbx.advance(300ms);
  }
  t.pbx.advance(500ms);
  CHECK(t.in->receivedDigits(DtmfMethod::kRfc4733) == "0*7");
}

TEST_CASE("in-band digits pass through transcoding and are detected at the other phone") {
  MediaCall t({"G722"}, {"PCMU"}, false, false);
  t.in->sendDtmf('4', DtmfMethod::kInband, 150ms);
  t.pbx.advance(1s);
  CHECK(t.out->receivedDigits(DtmfMethod::kInband) == "4");
}

TEST_CASE("a re-INVITE that changes a codec moves the call into transcoding without a gap") {
  MediaCall t({"PCMU", "PCMA"}, {"PCMU", "PCMA"});
  t.out->playTone(1000);
  t.pbx.advance(1s);
  REQUIRE(t.pbx.media().terminatedRelays() == 0);
  REQUIRE(Near(t.in->receivedFrequency(), 1000));
  // Alice's phone now only does A-law: it re-offers, pbxkit answers PCMA and transcodes.
  t.alice.options().codecs = {"PCMA"};
  t.out->reinvite();
  t.pbx.advance(1s);
  CHECK(t.out->lastReinviteStatus() == 200);
  CHECK(t.out->mediaFormat().codec == "PCMA");
  CHECK(t.pbx.media().terminatedRelays() == 1);
  CHECK(Near(t.in->receivedFrequency(), 1000));
  // And back: both on PCMU again, the relay forwards untouched.
  t.alice.options().codecs = {"PCMU"};
  t.out->reinvite();
  t.pbx.advance(1s);
  CHECK(t.pbx.media().terminatedRelays() == 0);
  CHECK(Near(t.in->receivedFrequency(), 1000));
  CHECK(t.in->longestAudioGapMs() <= 100);
}

TEST_CASE("a digit sent by SIP INFO reaches a phone with telephone-event as RFC 4733") {
  MediaCall t({"PCMU"}, {"PCMU"});
  t.out->sendDtmf('8', DtmfMethod::kInfo);
  t.pbx.advance(600ms);
  CHECK(t.out->infoStatus() == 200);
  CHECK(t.in->receivedDigits(DtmfMethod::kRfc4733) == "8");
  CHECK(t.in->receivedDigits(DtmfMethod::kInfo).empty());
  CHECK(t.pbx.metrics().renderPrometheus().find("pbx_dtmf_total{method=\"info\"} 1") !=
        std::string::npos);
}

TEST_CASE("SRTP policy: a mandatory account's plain offer gets 488; an optional one offers keys") {
  auto options = DemoOptions();
  for (auto& extension : options.directory.extensions)
    if (extension.number == "100") extension.accounts[0].srtp = pbx::SrtpPolicy::kMandatory;
  TwoPhones t(options);
  auto& refused = t.alice.call("101");
  t.pbx.runPending();
  CHECK(refused.finalStatus() == 488);

  // Bob calls Alice: her phone (mandatory) is offered RTP/SAVP with keys; Bob's own answer
  // from pbxkit has none, since he offered plain RTP.
  auto& call = t.bob.call("100");
  t.pbx.runPending();
  auto* in = t.alice.incoming();
  REQUIRE(in != nullptr);
  CHECK(in->remoteSdp().find("RTP/SAVP") != std::string::npos);
  CHECK(in->remoteSdp().find("a=crypto:") != std::string::npos);
  in->answer();  // a plain answer: the mandatory policy leaves that leg without keys
  t.pbx.runPending();
  CHECK(call.state() == pbx::testing::SimCall::State::kAnswered);
  CHECK(call.remoteSdp().find("a=crypto:") == std::string::npos);
}
