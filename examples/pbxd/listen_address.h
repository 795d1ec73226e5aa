// ListenAddress: the "HOST:PORT" an HTTP endpoint of pbxd listens on (rest.listen), split once
// so that the config can name the field of a bad value and the server binds what was checked.
//
//   auto address = pbxd::ListenAddress::Parse("127.0.0.1:8080");   // or [::1]:8080
//   if (address.ok()) server.bind_to_port(address->host, address->port);
//
// Thread-safety: a value type.
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace pbxd {

struct ListenAddress {
  std::string host;  // an address or a host name, without the brackets of an IPv6 address
  int port = 0;      // 1 to 65535

  // InvalidArgument unless `text` is a host, ':' and a port from 1 to 65535.
  static absl::StatusOr<ListenAddress> Parse(const std::string& text);
  std::string str() const;  // "127.0.0.1:8080", "[::1]:8080"
};

}  // namespace pbxd
