#include "lib/sip/sofia/udp_buffers.h"

#include <dirent.h>
#include <linux/sock_diag.h>
#include <sys/socket.h>

#include <cstdlib>
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

int FindUdpSocket(const SocketAddress& address) {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int found = -1;
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    int fd = atoi(entry->d_name);
    int type = 0;
    socklen_t typeLength = sizeof type;
    sockaddr_storage bound{};
    socklen_t boundLength = sizeof bound;
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &typeLength) != 0 || type != SOCK_DGRAM ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &boundLength) != 0)
      continue;
    if (SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&bound), boundLength) == address) {
      found = fd;
      break;
    }
  }
  closedir(dir);
  return found;
}

double ReceiveQueueFill(int fd) {
  uint32_t meminfo[SK_MEMINFO_VARS] = {};
  socklen_t length = sizeof meminfo;
  if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_MEMINFO, meminfo, &length) != 0 ||
      length < sizeof(uint32_t) * (SK_MEMINFO_RCVBUF + 1) || meminfo[SK_MEMINFO_RCVBUF] == 0)
    return 0;
  return static_cast<double>(meminfo[SK_MEMINFO_RMEM_ALLOC]) / meminfo[SK_MEMINFO_RCVBUF];
}

}  // namespace pbx::sip::internal
