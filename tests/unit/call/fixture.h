// A two-to-four extension PBX on the simulation harness, shared by the call-control tests.
#pragma once

#include "pbx/testing/simulated_pbx.h"

namespace pbx::test {

inline Options DemoOptions() {
  Options o;
  o.sip.domain = "pbx.test";
  o.directory.extensions = {
      {"100", {{"100", "pw100"}}, "Alice"},
      {"101", {{"101", "pw101"}}, "Bob"},
      {"102", {{"102a", "pw102a"}, {"102b", "pw102b"}}, "Carol"},  // two devices
      {"103", {{"103", "pw103"}}, "Dave"},
  };
  return o;
}

using State = pbx::testing::SimCall::State;

}  // namespace pbx::test
