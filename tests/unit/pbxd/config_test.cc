#include "examples/pbxd/config.h"

#include <doctest/doctest.h>

using namespace std::chrono_literals;

namespace {
std::string ErrorOf(const std::string& yaml) {
  auto c = pbxd::ParseConfig(yaml, "t.yaml");
  return c.ok() ? "" : std::string(c.status().message());
}
}  // namespace

TEST_CASE("the demo config loads with its four extensions") {
  auto c = pbxd::LoadConfig(std::string(PBX_SOURCE_DIR) + "/examples/config/demo.yaml");
  REQUIRE(c.ok());
  const auto& exts = c->options.directory.extensions;
  REQUIRE(exts.size() == 4);
  for (size_t i = 0; i < 4; ++i) {
    std::string number = std::to_string(100 + i);
    CHECK(exts[i].number == number);
    REQUIRE(exts[i].accounts.size() == 1);
    CHECK(exts[i].accounts[0].username == number);
    CHECK(exts[i].accounts[0].password == "demo" + number);
  }
  CHECK(c->options.sip.listen ==
        std::vector<std::string>{"udp:127.0.0.1:5060", "tcp:127.0.0.1:5060"});
  CHECK(c->metricsListen == "127.0.0.1:9060");
  CHECK(c->options.sip.noAnswerTimeout == 30s);
  CHECK(c->options.media.rtpTimeout == 60s);
  CHECK(c->rest.listen == "127.0.0.1:8080");
  CHECK(c->rest.domain == "default");
  CHECK(c->rest.salt.empty());
  REQUIRE(c->rest.users.size() == 1);
  CHECK(c->rest.users[0].username == "admin");
  CHECK(c->rest.users[0].password == "demoadmin");
}

TEST_CASE("durations take units") {
  auto c = pbxd::ParseConfig(
      "sip:\n  no_answer_timeout: 2m\n  registration: {min_expires: 90, max_expires: 2h}\n"
      "media: {rtp_timeout: 1500ms}\n",
      "t.yaml");
  REQUIRE(c.ok());
  CHECK(c->options.sip.noAnswerTimeout == 120s);
  CHECK(c->options.sip.registration.minExpires == 90s);
  CHECK(c->options.sip.registration.maxExpires == 7200s);
  CHECK(c->options.media.rtpTimeout == 1s);  // whole seconds
}

TEST_CASE("the SIP send thread is on unless the config turns it off") {
  auto on = pbxd::ParseConfig("sip:\n  domain: example.com\n", "t.yaml");
  auto off = pbxd::ParseConfig("sip:\n  udp_send_thread: false\n", "t.yaml");
  REQUIRE(on.ok());
  REQUIRE(off.ok());
  CHECK(on->sofia.udpSendThread);
  CHECK_FALSE(off->sofia.udpSendThread);
}

TEST_CASE("errors name the file, the line and the field") {
  CHECK(ErrorOf("sip:\n  domian: x\n") ==
        "t.yaml:2: sip.domian: unknown field (expected one of: domain, listen, no_answer_timeout, "
        "overload, registration, session_timer, udp_send_thread, user_agent)");
  CHECK(ErrorOf("sip:\n  udp_send_thread: yes\n") ==
        "t.yaml:2: sip.udp_send_thread: expected true or false");
  CHECK(ErrorOf("sip:\n  no_answer_timeout: soon\n") ==
        "t.yaml:2: sip.no_answer_timeout: expected a duration like 30s, 5m or 1h");
  CHECK(ErrorOf("sip:\n  listen: [udp:localhost:5060]\n").find("t.yaml:2: sip.listen[0]") == 0);
  CHECK(ErrorOf("media:\n  port_min: 70000\n").find("t.yaml:2: media.port_min") == 0);
  CHECK(ErrorOf("media:\n  address: example.com\n").find("t.yaml:2: media.address") == 0);
  CHECK(ErrorOf("log: {level: loud}\n").find("t.yaml:1: log.level") == 0);
  CHECK(ErrorOf("extensions:\n  - number: '1'\n    accounts: [{username: a, password: x}]\n"
                "  - number: '2'\n    accounts: [{username: a, password: y}]\n")
            .find("t.yaml:5: extensions[1].accounts[0].username: username a is used twice") == 0);
  CHECK(ErrorOf("extensions:\n  - number: '1'\n    accounts: [{username: a}]\n")
            .find("extensions[0].accounts[0].password: missing") != std::string::npos);
  CHECK(ErrorOf("sip: [\n").find("t.yaml:") == 0);
  CHECK(ErrorOf("").find("empty") != std::string::npos);
  CHECK(ErrorOf("sip:\n  listen: [udp:127.0.0.1:5060, tcp:127.0.0.2:5061]\n")
            .find("t.yaml:2: sip.listen[1]: every listen entry must use the same address") == 0);
  CHECK(ErrorOf("sip:\n  listen: [udp:127.0.0.1:5060, tcp:127.0.0.1:5060]\n").empty());
}

TEST_CASE("the REST API is off without a rest section, on 127.0.0.1:8080 with one") {
  auto none = pbxd::ParseConfig("log: {level: info}\n", "t.yaml");
  REQUIRE(none.ok());
  CHECK_FALSE(none->rest.enabled());

  auto defaults = pbxd::ParseConfig("rest:\n  users: [{username: a, password: b}]\n", "t.yaml");
  REQUIRE(defaults.ok());
  CHECK(defaults->rest.enabled());
  CHECK(defaults->rest.listen == "127.0.0.1:8080");
  CHECK(defaults->rest.domain == "default");

  auto full = pbxd::ParseConfig(
      "rest:\n  listen: '[::1]:9000'\n  domain: acme\n  salt: s4lt\n  users:\n"
      "    - {username: a, password: b}\n    - {username: c, password: d}\n",
      "t.yaml");
  REQUIRE(full.ok());
  CHECK(full->rest.listen == "[::1]:9000");
  CHECK(full->rest.domain == "acme");
  CHECK(full->rest.salt == "s4lt");
  REQUIRE(full->rest.users.size() == 2);
  CHECK(full->rest.users[1].username == "c");
  CHECK(full->rest.users[1].password == "d");

  auto off = pbxd::ParseConfig("rest:\n  listen: ''\n", "t.yaml");
  REQUIRE(off.ok());
  CHECK_FALSE(off->rest.enabled());
}

TEST_CASE("rest errors name the file, the line and the field") {
  CHECK(ErrorOf("rest:\n  lisen: x\n") ==
        "t.yaml:2: rest.lisen: unknown field (expected one of: domain, listen, salt, users)");
  CHECK(ErrorOf("rest:\n  listen: 127.0.0.1\n  users: [{username: a, password: b}]\n") ==
        "t.yaml:2: rest.listen: expected HOST:PORT like 127.0.0.1:8080");
  CHECK(ErrorOf("rest:\n  listen: 127.0.0.1:99999\n").find("t.yaml:2: rest.listen:") == 0);
  CHECK(ErrorOf("rest:\n  domain: default\n") ==
        "t.yaml:2: rest.users: expected a list of at least one {username, password}");
  CHECK(ErrorOf("rest:\n  users: []\n").find("t.yaml:2: rest.users: expected a list") == 0);
  CHECK(ErrorOf("rest:\n  users:\n    - {username: a}\n") ==
        "t.yaml:3: rest.users[0].password: missing");
  CHECK(ErrorOf("rest:\n  users:\n    - {password: a}\n") ==
        "t.yaml:3: rest.users[0].username: missing");
  CHECK(ErrorOf("rest:\n  users:\n    - {username: a, password: b}\n"
                "    - {username: a, password: c}\n") ==
        "t.yaml:4: rest.users[1].username: username a is used twice");
  CHECK(ErrorOf("rest:\n  users:\n    - {username: a, password: b, role: x}\n")
            .find("t.yaml:3: rest.users[0].role: unknown field") == 0);
  CHECK(ErrorOf("rest:\n  domain: 'a/b'\n  users: [{username: a, password: b}]\n")
            .find("t.yaml:2: rest.domain:") == 0);
  CHECK(ErrorOf("rest:\n  salt: ''\n  users: [{username: a, password: b}]\n")
            .find("t.yaml:2: rest.salt:") == 0);
  CHECK(ErrorOf("rest:\n  users: [{username: 'a\"b', password: b}]\n")
            .find("t.yaml:2: rest.users[0].username:") == 0);
}

TEST_CASE("a missing file is a clear error") {
  auto c = pbxd::LoadConfig("/nonexistent/pbxd.yaml");
  REQUIRE_FALSE(c.ok());
  CHECK(std::string(c.status().message()) == "/nonexistent/pbxd.yaml: cannot open the file");
}

TEST_CASE("routing, session timers, events and pickup groups") {
  auto c = pbxd::ParseConfig(
      "sip:\n  session_timer: {interval: 10m, min_se: 120s}\n"
      "routing:\n  decision_timeout: 3s\n  park_timeout: 45s\n  park_extension: '700'\n"
      "  park_slots: ['701', '702']\n  directed_pickup_prefix: '#*'\n"
      "  group_pickup_code: '*8'\n"
      "events: {history_size: 500}\n"
      "extensions:\n  - number: '100'\n    pickup_groups: [sales, lab]\n"
      "    accounts: [{username: '100', password: x}]\n",
      "t.yaml");
  REQUIRE(c.ok());
  CHECK(c->options.sip.sessionTimer.interval == 600s);
  CHECK(c->options.sip.sessionTimer.minSE == 120s);
  CHECK(c->options.routing.decisionTimeout == 3s);
  CHECK(c->options.routing.parkTimeout == 45s);
  CHECK(c->options.routing.numbering.parkExtension == "700");
  CHECK(c->options.routing.numbering.parkSlots == std::vector<std::string>{"701", "702"});
  CHECK(c->options.routing.numbering.directedPickupPrefix == "#*");
  CHECK(c->options.routing.numbering.groupPickupCode == "*8");
  CHECK(c->options.events.historySize == 500);
  CHECK(c->options.directory.extensions[0].pickupGroups ==
        std::vector<std::string>{"sales", "lab"});
  auto demo = pbxd::LoadConfig(std::string(PBX_SOURCE_DIR) + "/examples/config/demo.yaml");
  REQUIRE(demo.ok());
  CHECK(demo->options.routing.numbering.parkExtension == "888");
  CHECK(demo->options.routing.numbering.parkSlots.size() == 10);

  CHECK(ErrorOf("sip:\n  session_timer: {min_se: 30s}\n").find("at least 90s") !=
        std::string::npos);
  CHECK(ErrorOf("sip:\n  session_timer: {interval: 100s, min_se: 120s}\n")
            .find("shorter than min_se") != std::string::npos);
  CHECK(ErrorOf("routing:\n  park_slots: ['1', '1']\n").find("listed twice") != std::string::npos);
  CHECK(ErrorOf("routing:\n  parking: 1\n").find("parking") != std::string::npos);
  CHECK(ErrorOf("events: {history_size: 0}\n").find("at least 1") != std::string::npos);
}

TEST_CASE("an account's codecs: supported SDP names, most preferred first") {
  auto c = pbxd::ParseConfig(
      "extensions:\n  - number: '100'\n"
      "    accounts: [{username: '100', password: x, codecs: [opus, pcmu]}]\n"
      "  - number: '101'\n    accounts: [{username: '101', password: y}]\n",
      "t.yaml");
  REQUIRE(c.ok());
  const auto& exts = c->options.directory.extensions;
  // pbxkit's spelling whatever the file's case; no list: every codec
  CHECK(exts[0].accounts[0].codecs == std::vector<std::string>{"opus", "PCMU"});
  CHECK(exts[1].accounts[0].codecs.empty());

  auto account = [](const std::string& codecs) {
    return "extensions:\n  - number: '1'\n    accounts:\n"
           "      - {username: a, password: x, codecs: " +
           codecs + "}\n";
  };
  CHECK(ErrorOf(account("[opus, G729]")) ==
        "t.yaml:4: extensions[0].accounts[0].codecs[1]: unknown codec 'G729' (expected one of: "
        "opus, G722, PCMU, PCMA)");
  CHECK(ErrorOf(account("[PCMA, pcma]")) ==
        "t.yaml:4: extensions[0].accounts[0].codecs[1]: codec PCMA is listed twice");
  CHECK(ErrorOf(account("[]")).find("accounts[0].codecs: expected a list of codecs") !=
        std::string::npos);
  CHECK(ErrorOf(account("PCMU")).find("expected a list of codecs") != std::string::npos);
  CHECK(ErrorOf(account("[[PCMU]]")).find("codecs[0]: expected a string") != std::string::npos);
}

TEST_CASE("an account's srtp policy: off, optional (the default) or mandatory") {
  auto c = pbxd::ParseConfig(
      "extensions:\n  - number: '100'\n"
      "    accounts: [{username: '100', password: x, srtp: mandatory}]\n"
      "  - number: '101'\n    accounts: [{username: '101', password: y}]\n"
      "  - number: '102'\n    accounts: [{username: '102', password: z, srtp: 'off'}]\n",
      "t.yaml");
  REQUIRE(c.ok());
  const auto& exts = c->options.directory.extensions;
  CHECK(exts[0].accounts[0].srtp == pbx::SrtpPolicy::kMandatory);
  CHECK(exts[1].accounts[0].srtp == pbx::SrtpPolicy::kOptional);
  CHECK(exts[2].accounts[0].srtp == pbx::SrtpPolicy::kOff);
  CHECK(ErrorOf("extensions:\n  - number: '1'\n    accounts:\n"
                "      - {username: a, password: x, srtp: always}\n") ==
        "t.yaml:4: extensions[0].accounts[0].srtp: expected off, optional or mandatory, not "
        "'always'");
}
