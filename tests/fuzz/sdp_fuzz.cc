// libFuzzer target for SessionDescription::Parse. Besides "never crash", it checks the
// round-trip promise: whatever Parse accepts, serialize() writes text that Parse accepts again
// and that serializes to the same bytes.
//
//   build-fuzz/tests/sdp_fuzz -max_total_time=60 corpus/
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "pbx/sip/sdp.h"

namespace {

constexpr size_t kParseLimit = 64 * 1024;  // mirrors the parser's body cap

void Fail(const char* what, const std::string& text) {
  std::fprintf(stderr, "sdp_fuzz: %s\n--- serialized ---\n%s\n", what, text.c_str());
  __builtin_trap();
}

void CheckRoundTrip(const pbx::sip::SessionDescription& sdp) {
  std::string text = sdp.serialize();
  if (text.size() > kParseLimit) return;  // CRLF endings may push a near-limit body past it
  auto again = pbx::sip::SessionDescription::Parse(text);
  if (!again.ok()) Fail("serialized body does not parse", text);
  if (again->serialize() != text) Fail("serialize(Parse(serialize(x))) != serialize(x)", text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = pbx::sip::SessionDescription::Parse(text);
  if (!parsed.ok()) return 0;
  for (size_t i = 0; i <= parsed->media.size(); ++i) {
    (void)parsed->rtpAddress(i);
    (void)parsed->effectiveDirection(i);
    if (i < parsed->media.size()) {
      (void)parsed->media[i].rtpMaps();
      (void)parsed->media[i].direction();
    }
  }
  CheckRoundTrip(*parsed);
  parsed->setConnectionAddress("2001:db8::1");
  if (!parsed->media.empty()) parsed->media[0].setDirection(pbx::sip::MediaDirection::kSendOnly);
  CheckRoundTrip(*parsed);
  return 0;
}
