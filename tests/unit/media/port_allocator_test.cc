#include "lib/media/rtp/port_allocator.h"

#include <doctest/doctest.h>

#include <set>

namespace pbx::media::internal {
namespace {

absl::Status BindAny(uint16_t) { return absl::OkStatus(); }

TEST_CASE("pairs are even ports inside the range") {
  PortAllocator odd(30001, 30008);  // 30002, 30004, 30006 (30008 has no 30009)
  CHECK(odd.pairCount() == 3);
  std::set<uint16_t> seen;
  for (int i = 0; i < 3; ++i) {
    auto port = odd.acquire(BindAny);
    REQUIRE(port.ok());
    CHECK(*port % 2 == 0);
    CHECK(*port >= 30002);
    CHECK(*port + 1 <= 30008);
    seen.insert(*port);
  }
  CHECK(seen.size() == 3);
  CHECK(absl::IsResourceExhausted(odd.acquire(BindAny).status()));
  CHECK(PortAllocator(30000, 30000).pairCount() == 0);
}

TEST_CASE("released pairs come back - least recently used first") {
  PortAllocator ports(30000, 30005);
  auto a = ports.acquire(BindAny);
  auto b = ports.acquire(BindAny);
  REQUIRE((a.ok() && b.ok()));
  ports.release(*a);
  CHECK(ports.freePairs() == 2);
  auto c = ports.acquire(BindAny);
  REQUIRE(c.ok());
  CHECK(*c == 30004);  // the never-used pair goes before the one just released
  auto d = ports.acquire(BindAny);
  REQUIRE(d.ok());
  CHECK(*d == *a);
  CHECK(ports.freePairs() == 0);
}

TEST_CASE("pairs that fail to bind are skipped but stay free - other errors stop the search") {
  PortAllocator ports(30000, 30005);
  auto port = ports.acquire(
      [](uint16_t p) { return p == 30000 ? absl::UnavailableError("in use") : absl::OkStatus(); });
  REQUIRE(port.ok());
  CHECK(*port == 30002);
  CHECK(ports.freePairs() == 2);

  auto failed = ports.acquire([](uint16_t) { return absl::InternalError("no such address"); });
  CHECK(absl::IsInternal(failed.status()));
  CHECK(ports.freePairs() == 2);

  auto none = ports.acquire([](uint16_t) { return absl::UnavailableError("in use"); });
  CHECK(absl::IsResourceExhausted(none.status()));
}

}  // namespace
}  // namespace pbx::media::internal
