#include "lib/sip/sofia/udp_buffers.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace pbx::sip::internal {
namespace {

constexpr int kCapNetAdmin = 12;  // linux/capability.h

uint64_t ReadNumber(const char* path) {
  std::ifstream in(path);
  uint64_t value = 0;
  in >> value;
  return in ? value : 0;
}

bool HasNetAdmin() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("CapEff:", 0) != 0) continue;
    std::istringstream hex(line.substr(7));
    uint64_t caps = 0;
    hex >> std::hex >> caps;
    return (caps >> kCapNetAdmin) & 1;
  }
  return false;
}

}  // namespace

UdpBufferLimits ReadUdpBufferLimits() {
  return {ReadNumber("/proc/sys/net/core/rmem_max"), ReadNumber("/proc/sys/net/core/wmem_max"),
          HasNetAdmin()};
}

std::optional<std::string> UdpBufferWarning(const UdpBufferLimits& limits, uint64_t wanted) {
  if (limits.netAdmin) return std::nullopt;
  std::string low;
  if (limits.rmemMax < wanted) absl::StrAppend(&low, "net.core.rmem_max=", limits.rmemMax);
  if (limits.wmemMax < wanted)
    absl::StrAppend(&low, low.empty() ? "" : " and ", "net.core.wmem_max=", limits.wmemMax);
  if (low.empty()) return std::nullopt;
  return absl::StrCat("SIP UDP socket buffers are capped by ", low, " (pbxd asks for ", wanted,
                      " bytes): bursts of SIP may overflow them and come back as "
                      "retransmissions; raise them with `sysctl -w net.core.rmem_max=",
                      wanted, " net.core.wmem_max=", wanted, "` or grant CAP_NET_ADMIN");
}

}  // namespace pbx::sip::internal
