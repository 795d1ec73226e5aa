// pbxd's REST API over a simulated PBX, for the REST unit tests: extensions 100 to 103 (of
// tests/unit/call/fixture.h), phones 100 (Alice) and 101 (Bob) registered, and a REST user
// admin/secret in domain "default". Requests are signed with the simulated clock.
#pragma once

#include <doctest/doctest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "examples/pbxd/rest/rest_api.h"
#include "examples/pbxd/rest/rest_auth.h"
#include "pbx/testing/simulated_pbx.h"
#include "tests/unit/call/fixture.h"

namespace pbxd::rest::test {

inline constexpr char kSalt[] = "b5a8fdcf2f8d5acdad33c4a072a97d7a";

inline RestApi::Options FastOptions() {
  RestApi::Options options;
  options.operationTimeout = std::chrono::milliseconds(200);
  options.events.keepAlive = std::chrono::milliseconds(0);
  return options;
}

struct RestFixture {
  explicit RestFixture(RestApi::Options options = FastOptions(),
                       const pbx::Options& pbxOptions = pbx::test::DemoOptions())
      : pbx(pbxOptions) {
    REQUIRE(alice.registerAccount() == 200);
    REQUIRE(bob.registerAccount() == 200);
    RestAuthOptions auth;
    auth.users = {{"admin", "secret", "default"}};
    auth.salts = {{"default", kSalt}};
    auto made = RestApi::Create(auth, pbx.time(), pbx.calls(), options);
    REQUIRE(made.ok());
    api = *std::move(made);
  }

  // The X-authenticate value for admin at the simulated time plus `skew`.
  std::string authHeader(const std::string& password = "secret",
                         std::chrono::seconds skew = std::chrono::seconds(0)) {
    auto nonce = MakeNonce();
    REQUIRE(nonce.ok());
    return AuthenticateHeader("admin", password, "default", kSalt, *nonce,
                              FormatCreated(pbx.time().systemTime() + skew));
  }

  // A request for `target` ("/path?name=value&..."; no percent-decoding), signed unless
  // `header` says otherwise ("" for none).
  httplib::Request request(const std::string& method, const std::string& target,
                           std::string body = "", std::optional<std::string> header = {}) {
    httplib::Request r;
    r.method = method;
    size_t question = target.find('?');
    r.path = target.substr(0, question);
    if (question != std::string::npos) {
      std::string query = target.substr(question + 1);
      size_t start = 0;
      while (start <= query.size()) {
        size_t amp = query.find('&', start);
        std::string pair = query.substr(start, amp == std::string::npos ? amp : amp - start);
        size_t eq = pair.find('=');
        if (!pair.empty())
          r.params.emplace(pair.substr(0, eq), eq == std::string::npos ? "" : pair.substr(eq + 1));
        if (amp == std::string::npos) break;
        start = amp + 1;
      }
    }
    r.body = std::move(body);
    std::string value = header ? *header : authHeader();
    if (!value.empty()) r.headers.emplace("X-authenticate", value);
    return r;
  }

  // Dispatches on the test's thread: for requests that do not wait on the call API, or that
  // are meant to time out (nothing runs the simulated PBX meanwhile).
  void dispatch(const httplib::Request& request, httplib::Response& response) {
    api->router().dispatch(request, response);
  }

  // Dispatches on a thread of its own while this thread runs the simulated PBX, where the
  // call API's operations and completions run (as an HTTP thread and the PBX's threads).
  void call(const httplib::Request& request, httplib::Response& response) {
    std::atomic<bool> done{false};
    std::thread http([&] {
      api->router().dispatch(request, response);
      done = true;
    });
    while (!done) {
      pbx.runPending();
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    http.join();
    pbx.runPending();
  }

  static nlohmann::json Body(const httplib::Response& response) {
    auto json = nlohmann::json::parse(response.body, nullptr, false);
    REQUIRE_FALSE(json.is_discarded());
    return json;
  }

  pbx::testing::SimulatedPbx pbx;
  pbx::testing::SimPhone& alice = pbx.addPhone("100", "pw100");
  pbx::testing::SimPhone& bob = pbx.addPhone("101", "pw101");
  std::unique_ptr<RestApi> api;
};

}  // namespace pbxd::rest::test
