#include <doctest/doctest.h>

#include "tests/unit/call/fixture.h"

using namespace std::chrono_literals;
using namespace pbx::test;

TEST_CASE("a phone registers with digest authentication") {
  pbx::testing::SimulatedPbx pbx(DemoOptions());
  auto& alice = pbx.addPhone("100", "pw100");
  CHECK(alice.registerAccount(600s) == 200);
  CHECK(alice.grantedExpires() == 600);
  CHECK(pbx.registrations() == 1);
  CHECK(pbx.metrics().value("pbx_registrations") == 1);
}

TEST_CASE("a wrong password is rejected with 403 after the challenge") {
  pbx::testing::SimulatedPbx pbx(DemoOptions());
  auto& alice = pbx.addPhone("100", "not-the-password");
  CHECK(alice.registerAccount() == 403);
  CHECK(pbx.registrations() == 0);
  auto& stranger = pbx.addPhone("999", "whatever");
  CHECK(stranger.registerAccount() == 403);
}

TEST_CASE("expiry is clamped to the configured minimum and maximum") {
  pbx::testing::SimulatedPbx pbx(DemoOptions());
  auto& alice = pbx.addPhone("100", "pw100");
  CHECK(alice.registerAccount(10s) == 200);
  CHECK(alice.grantedExpires() == 60);
  CHECK(alice.registerAccount(100000s) == 200);
  CHECK(alice.grantedExpires() == 3600);
}

TEST_CASE("a registration expires when its time is up, not before") {
  pbx::testing::SimulatedPbx pbx(DemoOptions());
  auto& alice = pbx.addPhone("100", "pw100");
  REQUIRE(alice.registerAccount(120s) == 200);
  pbx.advance(119s);
  CHECK(pbx.registrations() == 1);
  pbx.advance(1s);
  CHECK(pbx.registrations() == 0);
  CHECK(pbx.metrics().value("pbx_registrations") == 0);
}

TEST_CASE("re-registering pushes the expiry out") {
  pbx::testing::SimulatedPbx pbx(DemoOptions());
  auto& alice = pbx.addPhone("100", "pw100");
  REQUIRE(alice.registerAccount(120s) == 200);
  pbx.advance(100s);
  REQUIRE(alice.registerAccount(120s) == 200);
  pbx.advance(100s);
  CHECK(pbx.registrations() == 1);
  pbx.advance(20s);
  CHECK(pbx.registrations() == 0);
}

TEST_CASE("Expires: 0 removes the registration") {
  pbx::testing::SimulatedPbx pbx(DemoOptions());
  auto& alice = pbx.addPhone("100", "pw100");
  REQUIRE(alice.registerAccount() == 200);
  CHECK(alice.unregister() == 200);
  CHECK(pbx.registrations() == 0);
}

TEST_CASE("the last registration of an account wins") {
  pbx::testing::SimulatedPbx pbx(DemoOptions());
  auto& alice = pbx.addPhone("100", "pw100");
  auto& deskOld = pbx.addPhone("101", "pw101");
  auto& deskNew = pbx.addPhone("101", "pw101");
  REQUIRE(alice.registerAccount() == 200);
  REQUIRE(deskOld.registerAccount() == 200);
  REQUIRE(deskNew.registerAccount() == 200);
  CHECK(pbx.registrations() == 2);
  alice.call("101");
  pbx.runPending();
  CHECK(deskOld.incoming() == nullptr);
  CHECK(deskNew.incoming() != nullptr);
}

TEST_CASE("reloading the directory drops registrations of removed accounts only") {
  pbx::testing::SimulatedPbx pbx(DemoOptions());
  auto& alice = pbx.addPhone("100", "pw100");
  auto& bob = pbx.addPhone("101", "pw101");
  REQUIRE(alice.registerAccount() == 200);
  REQUIRE(bob.registerAccount() == 200);
  auto& call = alice.call("101");
  pbx.runPending();
  bob.incoming()->answer();
  pbx.runPending();
  REQUIRE(call.state() == State::kAnswered);

  pbx::Directory smaller;
  smaller.extensions = {{"100", {{"100", "pw100"}}, "Alice"}};
  REQUIRE(pbx.reloadDirectory(smaller).ok());
  CHECK(pbx.registrations() == 1);
  CHECK(call.state() == State::kAnswered);  // calls in progress are not dropped
  CHECK(pbx.activeCalls() == 1);

  pbx::Directory broken;
  broken.extensions = {{"100", {{"x", "1"}}}, {"100", {{"y", "2"}}}};
  CHECK_FALSE(pbx.reloadDirectory(broken).ok());
}
