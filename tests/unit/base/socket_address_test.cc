#include "pbx/base/socket_address.h"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>

TEST_CASE("a socket call's address converts to the same SocketAddress as its text") {
  sockaddr_in v4{};
  v4.sin_family = AF_INET;
  v4.sin_port = htons(5060);
  REQUIRE(inet_pton(AF_INET, "127.0.0.1", &v4.sin_addr) == 1);
  auto a = pbx::SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&v4), sizeof v4);
  REQUIRE(a.has_value());
  CHECK(*a == *pbx::SocketAddress::Parse("127.0.0.1", 5060));

  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  v6.sin6_port = htons(5061);
  REQUIRE(inet_pton(AF_INET6, "::1", &v6.sin6_addr) == 1);
  auto b = pbx::SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&v6), sizeof v6);
  REQUIRE(b.has_value());
  CHECK(b->isV6());
  CHECK(b->str() == "[::1]:5061");

  // Too short for its family, or a family that is not IP: nothing.
  CHECK_FALSE(pbx::SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&v6), sizeof v4));
  sockaddr unix_address{};
  unix_address.sa_family = AF_UNIX;
  CHECK_FALSE(pbx::SocketAddress::FromSockaddr(&unix_address, sizeof unix_address));
  CHECK_FALSE(pbx::SocketAddress::FromSockaddr(nullptr, 0));
}
