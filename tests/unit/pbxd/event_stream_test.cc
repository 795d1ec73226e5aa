// /rest/events: SSE framing, the per-connection queue, and streams of a simulated PBX's real
// call events, with resume, filters, overflow and stop.
#include "examples/pbxd/rest/event_stream.h"

#include <doctest/doctest.h>
#include <httplib.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "tests/unit/pbxd/rest_fixture.h"

using namespace std::chrono_literals;
using nlohmann::json;
using pbx::call::CallEvent;
using pbx::call::CallEventType;
using pbxd::rest::EventQueue;
using pbxd::rest::test::RestFixture;

namespace {

struct SseMessage {
  uint64_t id = 0;
  std::string event;
  json data;
};

// The events in SSE `text` (comments and `retry:` skipped).
std::vector<SseMessage> Events(const std::string& text) {
  std::vector<SseMessage> out;
  for (absl::string_view block : absl::StrSplit(text, "\n\n")) {
    SseMessage m;
    bool any = false;
    for (absl::string_view line : absl::StrSplit(block, '\n')) {
      if (absl::ConsumePrefix(&line, "id: ")) {
        REQUIRE(absl::SimpleAtoi(line, &m.id));
        any = true;
      } else if (absl::ConsumePrefix(&line, "event: ")) {
        m.event = std::string(line);
      } else if (absl::ConsumePrefix(&line, "data: ")) {
        m.data = json::parse(std::string(line));
      }
    }
    if (any) out.push_back(std::move(m));
  }
  return out;
}

std::vector<std::string> Names(const std::vector<SseMessage>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.event);
  return out;
}

// Pulls a stream's response body as httplib's server would, one provider call at a time.
struct StreamReader {
  explicit StreamReader(httplib::Response& response) : response(response) {
    sink.write = [this](const char* data, size_t size) {
      text.append(data, size);
      return true;
    };
    sink.done = [this] { done = true; };
    sink.is_writable = [] { return true; };
  }
  // One call of the provider; false when it ended the connection.
  bool pull() { return response.content_provider_(text.size(), 0, sink); }
  // Pulls until `count` events have arrived or the stream ends (at most 50 pulls).
  std::vector<SseMessage> until(size_t count) {
    for (int i = 0; i < 50 && !done && Events(text).size() < count; ++i) REQUIRE(pull());
    return Events(text);
  }

  httplib::Response& response;
  httplib::DataSink sink;
  std::string text;
  bool done = false;
};

const std::vector<std::string> kCallNames = {"pbx.call.start", "pbx.extension.incomingcall",
                                             "pbx.extension.answercall", "pbx.call.bridged",
                                             "pbx.call.end"};

// Alice calls Bob, Bob answers, Alice hangs up: the five events of kCallNames.
void OneCall(RestFixture& t) {
  auto& out = t.alice.call("101");
  t.pbx.runPending();
  REQUIRE(t.bob.incoming() != nullptr);
  t.bob.incoming()->answer();
  t.pbx.runPending();
  out.hangup();
  t.pbx.runPending();
}

CallEvent Event(uint64_t sequence) {
  CallEvent e;
  e.sequence = sequence;
  e.type = CallEventType::kDtmf;
  e.call = pbx::CallId(1);
  e.detail = "#";
  return e;
}

}  // namespace

TEST_CASE("an SSE event is an id, a name and one line of JSON data") {
  CallEvent e = Event(7);
  e.detail = "line one\nline two";
  std::string text = pbxd::rest::SseEvent(e);
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  REQUIRE(lines.size() == 5);
  CHECK(lines[0] == "id: 7");
  CHECK(lines[1] == "event: pbx.call.dtmf");
  CHECK(lines[2].rfind("data: {", 0) == 0);
  CHECK(json::parse(lines[2].substr(6))["detail"] == "line one\nline two");
  CHECK(lines[3].empty());
  CHECK(lines[4].empty());
  CHECK(pbxd::rest::SseComment("a\nb") == ": a\n: b\n\n");
}

TEST_CASE("the query: Last-Event-ID over since, types, linkedid, extension") {
  auto parse = [](const std::string& query, const std::string& lastEventId = "") {
    RestFixture t;
    auto request = t.request("GET", "/rest/events" + query, "", "");
    if (!lastEventId.empty()) request.headers.emplace("Last-Event-ID", lastEventId);
    return pbxd::rest::ParseEventStreamQuery(request);
  };
  auto none = parse("");
  REQUIRE(none.ok());
  CHECK_FALSE(none->since.has_value());
  CHECK(parse("?since=12")->since == 12u);
  CHECK(parse("?since=12", "30")->since == 30u);
  auto filtered = parse("?types=pbx.call.start, pbx.call.end&linkedid=C1F&extension=100");
  REQUIRE(filtered.ok());
  CHECK(filtered->filter.types ==
        std::vector<CallEventType>{CallEventType::kCallStarted, CallEventType::kCallEnded});
  CHECK(filtered->filter.call == pbx::CallId(0x1F));
  CHECK(filtered->filter.number == "100");
  for (const char* bad : {"?since=-1", "?since=1x", "?since=", "?since=99999999999999999999999",
                          "?types=pbx.call.nothing", "?linkedid=X"}) {
    CAPTURE(bad);
    CHECK(parse(bad).status().code() == absl::StatusCode::kInvalidArgument);
  }
  CHECK(parse("", "abc").status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("a connection's queue: in order, bounded, closed") {
  EventQueue queue(3);
  CHECK(queue.take(0ms).text.empty());  // nothing yet: the caller sends a keep-alive
  for (uint64_t i = 1; i <= 5; ++i) queue.push(Event(i));  // 4 and 5 do not fit
  EventQueue::Batch first = queue.take(0ms, 2);
  CHECK_FALSE(first.end);
  auto events = Events(first.text);
  REQUIRE(events.size() == 2);
  CHECK(events[1].id == 2);
  EventQueue::Batch last = queue.take(0ms);
  CHECK(last.end);
  REQUIRE(Events(last.text).size() == 1);
  CHECK(Events(last.text)[0].id == 3);
  CHECK(last.text.find(": disconnected: this client fell 3 events behind; reconnect with "
                       "Last-Event-ID: 3") != std::string::npos);

  EventQueue closing(10);
  closing.push(Event(1));
  closing.close("pbxd is stopping");
  closing.push(Event(2));  // after the close: dropped
  EventQueue::Batch end = closing.take(0ms);
  CHECK(end.end);
  CHECK(Events(end.text).size() == 1);
  CHECK(end.text.find(": pbxd is stopping\n\n") != std::string::npos);
}

TEST_CASE("a stream carries every event of a call, in order, numbered") {
  RestFixture t;
  httplib::Response response;
  t.dispatch(t.request("GET", "/rest/events"), response);
  REQUIRE(response.status == 200);
  CHECK(response.get_header_value("Cache-Control") == "no-cache");
  StreamReader reader(response);
  REQUIRE(reader.pull());
  CHECK(reader.text == "retry: 2000\n: pbxd call events\n\n");
  REQUIRE(reader.pull());  // nothing yet: a keep-alive (the test's keep-alive interval is 0)
  CHECK(reader.text.find(": keep-alive\n\n") != std::string::npos);

  OneCall(t);
  auto events = reader.until(5);
  CHECK(Names(events) == kCallNames);
  for (size_t i = 0; i < events.size(); ++i) {
    CHECK(events[i].data["sequence"] == events[i].id);
    CHECK(events[i].data["event"] == events[i].event);
    CHECK(events[i].data["linkedid"] == events[0].data["linkedid"]);
    if (i > 0) CHECK(events[i].id == events[i - 1].id + 1);
  }
  CHECK(events[4].data["end"]["cause"] == "NCC");
  CHECK(t.api->eventStreams().openStreams() == 1);
}

TEST_CASE("a client resumes with Last-Event-ID or since and misses nothing") {
  RestFixture t;
  OneCall(t);
  auto all = t.pbx.calls().events().history({}, 0);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 5);
  const uint64_t second = (*all)[1].sequence;

  httplib::Response byHeader, byQuery;
  auto request = t.request("GET", "/rest/events?since=0");
  request.headers.emplace("Last-Event-ID", std::to_string(second));
  t.dispatch(request, byHeader);
  REQUIRE(byHeader.status == 200);
  StreamReader reader(byHeader);
  t.pbx.runPending();  // the history is replayed on the event thread
  auto resumed = reader.until(3);
  REQUIRE(resumed.size() == 3);
  CHECK(resumed[0].id == second + 1);
  CHECK(Names(resumed) == std::vector<std::string>(kCallNames.begin() + 2, kCallNames.end()));

  t.dispatch(t.request("GET", "/rest/events?since=" + std::to_string(second + 1)), byQuery);
  StreamReader fromQuery(byQuery);
  t.pbx.runPending();
  auto tail = fromQuery.until(2);
  REQUIRE(tail.size() == 2);
  CHECK(tail[0].id == second + 2);
}

TEST_CASE("a since the history no longer holds, or that has not happened, is 410") {
  auto options = pbx::test::DemoOptions();
  options.events.historySize = 4;
  RestFixture t(pbxd::rest::test::FastOptions(), options);
  for (int i = 0; i < 3; ++i) OneCall(t);
  const uint64_t last = t.pbx.calls().events().lastSequence();
  httplib::Response gone, future;
  t.dispatch(t.request("GET", "/rest/events?since=0"), gone);
  CHECK(gone.status == 410);
  CHECK(RestFixture::Body(gone)["error"].get<std::string>().find("no longer") != std::string::npos);
  t.dispatch(t.request("GET", "/rest/events?since=" + std::to_string(last + 5)), future);
  CHECK(future.status == 410);
  CHECK(RestFixture::Body(future)["code"] == 410);
  CHECK(t.api->eventStreams().openStreams() == 0);
}

TEST_CASE("types and linkedid filter the stream") {
  RestFixture t;
  httplib::Response response;
  t.dispatch(t.request("GET", "/rest/events?types=pbx.call.start,pbx.call.end"), response);
  StreamReader reader(response);
  OneCall(t);
  auto events = reader.until(2);
  CHECK(Names(events) == std::vector<std::string>{"pbx.call.start", "pbx.call.end"});
  httplib::Response bad;
  t.dispatch(t.request("GET", "/rest/events?types=pbx.call.begin"), bad);
  CHECK(bad.status == 400);
}

TEST_CASE("a client that falls too far behind gets what was queued, then the end") {
  auto options = pbxd::rest::test::FastOptions();
  options.events.maxQueuedEvents = 2;
  RestFixture t(options);
  httplib::Response response;
  t.dispatch(t.request("GET", "/rest/events"), response);
  StreamReader reader(response);
  OneCall(t);  // five events into a queue of two
  auto events = reader.until(5);
  CHECK(reader.done);
  REQUIRE(events.size() == 2);
  CHECK(reader.text.find("disconnected") != std::string::npos);
  CHECK(reader.text.find("Last-Event-ID: " + std::to_string(events[1].id)) != std::string::npos);
}

TEST_CASE("streams are limited in number, released with their response, ended by stop()") {
  auto options = pbxd::rest::test::FastOptions();
  options.events.maxStreams = 2;
  RestFixture t(options);
  auto first = std::make_unique<httplib::Response>();
  httplib::Response second, third, fourth, afterStop;
  t.dispatch(t.request("GET", "/rest/events"), *first);
  t.dispatch(t.request("GET", "/rest/events"), second);
  t.dispatch(t.request("GET", "/rest/events"), third);
  CHECK(first->status == 200);
  CHECK(second.status == 200);
  CHECK(third.status == 503);
  CHECK(t.api->eventStreams().openStreams() == 2);
  first.reset();  // the connection is over: its slot is free
  CHECK(t.api->eventStreams().openStreams() == 1);
  t.dispatch(t.request("GET", "/rest/events"), fourth);
  CHECK(fourth.status == 200);

  StreamReader reader(second);
  REQUIRE(reader.pull());
  t.api->stop();
  REQUIRE(reader.pull());
  CHECK(reader.done);
  CHECK(reader.text.find(": pbxd is stopping\n\n") != std::string::npos);
  t.dispatch(t.request("GET", "/rest/events"), afterStop);
  CHECK(afterStop.status == 503);
}
