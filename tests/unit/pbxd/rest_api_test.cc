// pbxd's REST API through its router, without sockets, over a simulated PBX: the gate
// (routes, authentication, parameters), the phone services with their error mapping, and
// the OpenAPI document against the routes.
#include <doctest/doctest.h>
#include <httplib.h>

#include <algorithm>
#include <set>

#include "examples/pbxd/rest/openapi.h"
#include "tests/unit/pbxd/rest_fixture.h"

using namespace std::chrono_literals;
using nlohmann::json;
using pbx::test::State;
using pbxd::rest::test::RestFixture;

namespace {

// The status and the JSON error body of a refusal.
void CheckError(const httplib::Response& response, int status) {
  CHECK(response.status == status);
  json body = RestFixture::Body(response);
  CHECK(body["code"] == status);
  CHECK(body["error"].is_string());
  CHECK_FALSE(body["error"].get<std::string>().empty());
}

}  // namespace

TEST_CASE("the router answers unknown paths, other methods and long paths with JSON errors") {
  RestFixture t;
  httplib::Response unknown, method, tooLong, trailing;
  t.dispatch(t.request("GET", "/rest/nothing"), unknown);
  CheckError(unknown, 404);
  t.dispatch(t.request("PUT", "/rest/phoneServices/activeCalls"), method);
  CheckError(method, 405);
  CHECK(method.get_header_value("Allow") == "GET");
  t.dispatch(t.request("GET", "/rest/" + std::string(3000, 'a')), tooLong);
  CheckError(tooLong, 414);
  t.dispatch(t.request("GET", "/rest/phoneServices/activeCalls/"), trailing);
  CheckError(trailing, 404);
}

TEST_CASE("every authenticated endpoint refuses a request without valid credentials") {
  RestFixture t;
  const std::string path = "/rest/phoneServices/c2c/101/100";
  httplib::Response none, malformed, wrongPassword, stale, future, twice;
  t.dispatch(t.request("POST", path, "", ""), none);
  CheckError(none, 401);
  t.dispatch(t.request("POST", path, "", "Basic YWRtaW46c2VjcmV0"), malformed);
  CheckError(malformed, 400);
  t.dispatch(t.request("POST", path, "", t.authHeader("wrong")), wrongPassword);
  CheckError(wrongPassword, 401);
  t.dispatch(t.request("POST", path, "", t.authHeader("secret", -301s)), stale);
  CheckError(stale, 401);
  t.dispatch(t.request("POST", path, "", t.authHeader("secret", 301s)), future);
  CheckError(future, 401);
  auto doubled = t.request("POST", path);
  doubled.headers.emplace("X-Authenticate", t.authHeader());
  t.dispatch(doubled, twice);
  CheckError(twice, 400);
  // Nothing happened.
  t.pbx.runPending();
  CHECK(t.pbx.activeCalls() == 0);
  CHECK(t.alice.incoming() == nullptr);
}

TEST_CASE("a signed request passes once; its replay is refused") {
  RestFixture t;
  auto request = t.request("GET", "/rest/phoneServices/activeCalls");
  httplib::Response first, replay;
  t.call(request, first);
  CHECK(first.status == 200);
  CHECK(RestFixture::Body(first) == json{{"calls", json::array()}});
  t.call(request, replay);
  CheckError(replay, 401);
  CHECK(RestFixture::Body(replay)["error"].get<std::string>().find("nonce") != std::string::npos);
}

TEST_CASE("the salt and the API document need no authentication") {
  RestFixture t;
  httplib::Response salt, unknown, doc;
  t.dispatch(t.request("GET", "/rest/salt/default", "", ""), salt);
  CHECK(salt.status == 200);
  CHECK(RestFixture::Body(salt) == json{{"domain", "default"}, {"salt", pbxd::rest::test::kSalt}});
  t.dispatch(t.request("GET", "/rest/salt/elsewhere", "", ""), unknown);
  CheckError(unknown, 404);
  t.dispatch(t.request("GET", "/api/doc.json", "", ""), doc);
  CHECK(doc.status == 200);
  CHECK(doc.get_header_value("Content-Type") == "application/json");
  CHECK(RestFixture::Body(doc)["openapi"] == "3.0.3");
}

TEST_CASE("path parameters must be printable ASCII of reasonable length") {
  RestFixture t;
  httplib::Response control, space, tooLong;
  t.dispatch(t.request("POST", std::string("/rest/phoneServices/c2c/1\x01") + "1/100"), control);
  CheckError(control, 400);
  t.dispatch(t.request("POST", "/rest/phoneServices/c2c/1 1/100"), space);
  CheckError(space, 400);
  t.dispatch(t.request("POST", "/rest/phoneServices/c2c/" + std::string(300, '1') + "/100"),
             tooLong);
  CheckError(tooLong, 400);
  t.pbx.runPending();
  CHECK(t.pbx.activeCalls() == 0);
}

TEST_CASE("the call API's errors map to HTTP statuses") {
  using pbxd::rest::HttpStatusForError;
  CHECK(HttpStatusForError(absl::InvalidArgumentError("")) == 400);
  CHECK(HttpStatusForError(absl::NotFoundError("")) == 404);
  CHECK(HttpStatusForError(absl::UnavailableError("")) == 409);
  CHECK(HttpStatusForError(absl::FailedPreconditionError("")) == 409);
  CHECK(HttpStatusForError(absl::AbortedError("")) == 409);
  CHECK(HttpStatusForError(absl::OutOfRangeError("")) == 410);
  CHECK(HttpStatusForError(absl::ResourceExhaustedError("")) == 503);
  CHECK(HttpStatusForError(absl::DeadlineExceededError("")) == 504);
  CHECK(HttpStatusForError(absl::UnimplementedError("")) == 501);
  CHECK(HttpStatusForError(absl::InternalError("")) == 500);
  CHECK(HttpStatusForError(absl::UnknownError("")) == 500);
}

TEST_CASE("click-to-call rings the source, then the destination, and lists and hangs up") {
  RestFixture t;
  httplib::Response made;
  t.call(t.request("POST", "/rest/phoneServices/c2c/101/100", R"({"call_uuid": "crm-4711"})"),
         made);
  REQUIRE(made.status == 201);
  json body = RestFixture::Body(made);
  const std::string linkedid = body["linkedid"];
  CHECK(linkedid.front() == 'C');
  CHECK(body["call_uuid"] == "crm-4711");
  CHECK(body["source"] == "100");
  CHECK(body["destination"] == "101");
  CHECK(made.get_header_value("Location") ==
        "/rest/phoneServices/activeCalls?linkedid=" + linkedid);

  auto* atSource = t.alice.incoming();
  REQUIRE(atSource != nullptr);
  CHECK(t.bob.incoming() == nullptr);
  atSource->answer();
  t.pbx.runPending();
  auto* atDestination = t.bob.incoming();
  REQUIRE(atDestination != nullptr);
  atDestination->answer();
  t.pbx.runPending();
  CHECK(atDestination->state() == State::kAnswered);

  httplib::Response list, byExtension, byOther, byId;
  t.call(t.request("GET", "/rest/phoneServices/activeCalls"), list);
  REQUIRE(list.status == 200);
  json calls = RestFixture::Body(list)["calls"];
  REQUIRE(calls.size() == 1);
  CHECK(calls[0]["linkedid"] == linkedid);
  CHECK(calls[0]["call_uuid"] == "crm-4711");
  CHECK(calls[0]["state"] == "answered");
  CHECK(calls[0]["legs"].size() == 2);
  CHECK(calls[0]["answered"].is_string());
  t.call(t.request("GET", "/rest/phoneServices/activeCalls?extension=101"), byExtension);
  CHECK(RestFixture::Body(byExtension)["calls"].size() == 1);
  t.call(t.request("GET", "/rest/phoneServices/activeCalls?extension=103"), byOther);
  CHECK(RestFixture::Body(byOther)["calls"].empty());
  t.call(t.request("GET", "/rest/phoneServices/activeCalls?linkedid=" + linkedid), byId);
  CHECK(RestFixture::Body(byId)["calls"].size() == 1);

  httplib::Response hungUp, again;
  t.call(t.request("DELETE", "/rest/phoneServices/hangup/" + linkedid), hungUp);
  CHECK(hungUp.status == 200);
  CHECK(RestFixture::Body(hungUp) == json{{"linkedid", linkedid}});
  CHECK(atSource->state() == State::kEnded);
  CHECK(atDestination->state() == State::kEnded);
  t.call(t.request("POST", "/rest/phoneServices/hangup/" + linkedid), again);
  CheckError(again, 404);
}

TEST_CASE("click-to-call by GET answers 200 and takes call_uuid from the query") {
  RestFixture t;
  httplib::Response made;
  t.call(t.request("GET", "/rest/phoneServices/c2c/101/100?call_uuid=abc"), made);
  CHECK(made.status == 200);
  CHECK(RestFixture::Body(made)["call_uuid"] == "abc");
  REQUIRE(t.alice.incoming() != nullptr);
}

TEST_CASE("click-to-call refusals: unknown 404, unregistered 409, bad bodies 400") {
  RestFixture t;
  httplib::Response unknown, unregistered, badJson, notObject, notString, conflict, longUuid;
  t.call(t.request("POST", "/rest/phoneServices/c2c/101/999"), unknown);
  CheckError(unknown, 404);
  t.call(t.request("POST", "/rest/phoneServices/c2c/101/103"), unregistered);
  CheckError(unregistered, 409);
  t.call(t.request("POST", "/rest/phoneServices/c2c/101/100", "{\"call_uuid\": "), badJson);
  CheckError(badJson, 400);
  t.call(t.request("POST", "/rest/phoneServices/c2c/101/100", "[1, 2]"), notObject);
  CheckError(notObject, 400);
  t.call(t.request("POST", "/rest/phoneServices/c2c/101/100", R"({"call_uuid": 7})"), notString);
  CheckError(notString, 400);
  t.call(t.request("POST", "/rest/phoneServices/c2c/101/100?call_uuid=a", R"({"call_uuid":"b"})"),
         conflict);
  CheckError(conflict, 400);
  t.call(t.request("POST", "/rest/phoneServices/c2c/101/100?call_uuid=" + std::string(129, 'u')),
         longUuid);
  CheckError(longUuid, 400);
  CHECK(t.pbx.activeCalls() == 0);
  CHECK(t.alice.incoming() == nullptr);

  // A seed client's extra fields are ignored.
  httplib::Response seed;
  t.call(t.request("POST", "/rest/phoneServices/c2c/101/100",
                   R"({"call_uuid": "x", "destination_type": "internal"})"),
         seed);
  CHECK(seed.status == 201);
}

TEST_CASE("hangup and activeCalls refuse malformed linkedids with 400") {
  RestFixture t;
  for (const char* id : {"1F", "C", "CZZ", "C0", "C12345678901234567", "c1"}) {
    httplib::Response response;
    t.dispatch(t.request("POST", std::string("/rest/phoneServices/hangup/") + id), response);
    CAPTURE(id);
    CheckError(response, 400);
  }
  httplib::Response list;
  t.dispatch(t.request("GET", "/rest/phoneServices/activeCalls?linkedid=nope"), list);
  CheckError(list, 400);
}

TEST_CASE("a PBX that does not complete an operation in time gets 504") {
  RestFixture t;  // nothing runs the simulated PBX during dispatch()
  httplib::Response made, list, hangup;
  t.dispatch(t.request("POST", "/rest/phoneServices/c2c/101/100"), made);
  CheckError(made, 504);
  t.dispatch(t.request("GET", "/rest/phoneServices/activeCalls"), list);
  CheckError(list, 504);
  t.dispatch(t.request("POST", "/rest/phoneServices/hangup/C1"), hangup);
  CheckError(hangup, 504);
  t.pbx.runPending();  // the late completions find nobody waiting
}

TEST_CASE("the OpenAPI document lists exactly the routes the router serves") {
  RestFixture t;
  json document = json::parse(pbxd::rest::OpenApiDocument().dump());
  REQUIRE(document["openapi"].get<std::string>().rfind("3.", 0) == 0);
  REQUIRE(document["paths"].is_object());

  std::set<std::pair<std::string, std::string>> served, documented;
  for (const auto& route : t.api->router().routes()) {
    std::string method = route.method;
    std::transform(method.begin(), method.end(), method.begin(), ::tolower);
    served.emplace(method, route.pattern);
  }
  for (const auto& [path, operations] : document["paths"].items()) {
    for (const auto& [method, operation] : operations.items()) {
      documented.emplace(method, path);
      CAPTURE(path);
      CAPTURE(method);
      CHECK(operation["responses"].is_object());
      CHECK_FALSE(operation["responses"].empty());
      CHECK(operation["summary"].is_string());
      bool anonymous = operation.contains("security") && operation["security"].empty();
      CHECK(anonymous == (path == "/rest/salt/{domain}" || path == "/api/doc.json"));
    }
  }
  CHECK(served == documented);
  CHECK(served.size() >= 8);

  // The event names it lists are the call API's, all of them.
  std::set<std::string> names;
  for (const auto& name :
       document["components"]["schemas"]["CallEvent"]["properties"]["event"]["enum"])
    names.insert(name.get<std::string>());
  std::set<std::string> expected;
  for (int t = 0; t <= static_cast<int>(pbx::call::CallEventType::kCallEnded); ++t)
    expected.insert(pbx::call::EventName(static_cast<pbx::call::CallEventType>(t)));
  CHECK(names == expected);

  // Every $ref names a schema the document has.
  std::function<void(const json&)> checkRefs = [&](const json& node) {
    if (node.is_object()) {
      if (node.contains("$ref")) {
        std::string ref = node["$ref"];
        CAPTURE(ref);
        CHECK(document["components"]["schemas"].contains(ref.substr(ref.rfind('/') + 1)));
      }
      for (const auto& [key, value] : node.items()) checkRefs(value);
    } else if (node.is_array()) {
      for (const auto& value : node) checkRefs(value);
    }
  };
  checkRefs(document);
}
