#include <doctest/doctest.h>

#include "tests/unit/call/fixture.h"

using namespace std::chrono_literals;
using namespace pbx::test;

namespace {
struct AnsweredCall {
  pbx::testing::SimulatedPbx pbx;
  pbx::testing::SimCall* out = nullptr;
  pbx::testing::SimCall* in = nullptr;
  explicit AnsweredCall(pbx::Options options) : pbx(options) {
    auto& alice = pbx.addPhone("100", "pw100");
    auto& bob = pbx.addPhone("101", "pw101");
    REQUIRE(alice.registerAccount() == 200);
    REQUIRE(bob.registerAccount() == 200);
    out = &alice.call("101");
    pbx.runPending();
    in = bob.incoming();
    in->answer();
    pbx.runPending();
    REQUIRE(out->state() == State::kAnswered);
  }
};
}  // namespace

TEST_CASE("an answered call with no RTP for rtp_timeout is ended on both legs") {
  auto options = DemoOptions();
  options.media.rtpTimeout = 60s;
  AnsweredCall c(options);
  c.pbx.advance(59s);
  CHECK(c.out->state() == State::kAnswered);
  c.pbx.advance(2s);
  CHECK(c.out->state() == State::kEnded);
  CHECK(c.in->state() == State::kEnded);
  CHECK(c.pbx.metrics().value("pbx_rtp_timeouts_total") == 1);
}

TEST_CASE("RTP in either direction keeps a call alive") {
  auto options = DemoOptions();
  options.media.rtpTimeout = 60s;
  AnsweredCall c(options);
  for (int i = 0; i < 10; ++i) {
    c.pbx.advance(30s);
    (i % 2 ? c.in : c.out)->sendRtp(1500);
  }
  CHECK(c.out->state() == State::kAnswered);
  c.pbx.advance(62s);
  CHECK(c.out->state() == State::kEnded);
}

TEST_CASE("a call on hold is not ended for silence") {
  auto options = DemoOptions();
  options.media.rtpTimeout = 60s;
  AnsweredCall c(options);
  c.out->reinvite("sendonly");
  c.pbx.runPending();
  c.pbx.advance(10min);
  CHECK(c.out->state() == State::kAnswered);
}

TEST_CASE("rtp_timeout 0 disables the check") {
  auto options = DemoOptions();
  options.media.rtpTimeout = 0s;
  AnsweredCall c(options);
  c.pbx.advance(1h);
  CHECK(c.out->state() == State::kAnswered);
}
