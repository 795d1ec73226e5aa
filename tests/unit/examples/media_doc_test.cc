// The simulation snippet of docs/media.md ("Testing media"), kept compiling and true.
#include <doctest/doctest.h>

#include <cmath>

#include "pbx/testing/simulated_pbx.h"

using namespace std::chrono_literals;

TEST_CASE("docs/media.md: an Opus phone and a PCMU phone without telephone-event") {
  pbx::Options options;
  options.directory.extensions = {{"100", {{"100", "pw100", {"opus"}}}},
                                  {"101", {{"101", "pw101", {"PCMU"}}}}};
  pbx::testing::SimulatedPbx pbx(options);
  auto& alice = pbx.addPhone("100", "pw100", {.codecs = {"opus"}, .audio = true});
  auto& bob =
      pbx.addPhone("101", "pw101", {.codecs = {"PCMU"}, .telephoneEvent = false, .audio = true});
  REQUIRE(alice.registerAccount() == 200);
  REQUIRE(bob.registerAccount() == 200);
  auto& call = alice.call("101");
  pbx.runPending();
  bob.incoming()->answer();
  pbx.runPending();
  auto& answered = *bob.calls().back();

  call.playTone(1000);  // Alice's phone sends a 1 kHz sine in Opus
  pbx.advance(1s);      // 50 ticks of 20 ms: the relay transcodes Opus -> PCMU
  CHECK(pbx.media().terminatedRelays() == 1);
  CHECK(std::abs(answered.receivedFrequency() - 1000) < 20);

  call.playTone(0);
  call.sendDtmf('5', pbx::media::DtmfMethod::kRfc4733, 120ms);
  pbx.advance(500ms);  // Bob has no telephone-event: the digit reaches him as tones
  CHECK(answered.receivedDigits(pbx::media::DtmfMethod::kInband) == "5");
}
