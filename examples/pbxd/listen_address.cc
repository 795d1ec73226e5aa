#include "examples/pbxd/listen_address.h"

#include "absl/strings/numbers.h"

namespace pbxd {

absl::StatusOr<ListenAddress> ListenAddress::Parse(const std::string& text) {
  size_t colon = text.rfind(':');
  ListenAddress address;
  if (colon != std::string::npos) address.host = text.substr(0, colon);
  if (address.host.size() > 2 && address.host.front() == '[' && address.host.back() == ']')
    address.host = address.host.substr(1, address.host.size() - 2);
  if (colon == std::string::npos || address.host.empty() ||
      address.host.find_first_of("[] \t") != std::string::npos ||
      !absl::SimpleAtoi(text.substr(colon + 1), &address.port) || address.port <= 0 ||
      address.port > 65535)
    return absl::InvalidArgumentError("expected HOST:PORT like 127.0.0.1:8080");
  return address;
}

std::string ListenAddress::str() const {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace pbxd
