#include "pbx/base/ids.h"

#include <doctest/doctest.h>

TEST_CASE("ids are unique, typed and printable") {
  auto a = pbx::CallId::Next();
  auto b = pbx::CallId::Next();
  CHECK(a != b);
  CHECK(a.valid());
  CHECK_FALSE(pbx::CallId().valid());
  CHECK(pbx::CallId(31).str() == "C1F");
  CHECK(pbx::LegId(1).str() == "L1");
}
