// EventStreams: GET /rest/events, the PBX's call events (spec §5.3 names) as server-sent
// events, one per event:
//
//   id: 42
//   event: pbx.call.start
//   data: {"sequence":42,"event":"pbx.call.start","linkedid":"C1F",...}    (call_json.h)
//
// The id is the event's sequence number in the PBX (pbx/call/call_events.h). The query may
// ask for `since=SEQ` (first the events after SEQ still in the PBX's history, then the new
// ones), `types=pbx.call.start,pbx.call.end`, `linkedid=C1F` and `extension=100`. The
// Last-Event-ID header, which an EventSource sends when it reconnects, takes precedence over
// `since`. When the history no longer holds the event after SEQ (or SEQ is newer than the
// newest event, from a pbxd that has restarted since), the answer is 410 with a JSON error,
// before any stream: the client knows that it missed events and starts afresh.
//
// Threads: the subscription's listener runs on the PBX's event thread and only appends the
// event to the connection's EventQueue, which is bounded (Options::maxQueuedEvents): it never
// blocks there. The HTTP thread serving the connection waits on the queue and writes. A
// client that reads too slowly for its queue gets what was queued, a comment saying so, and
// the end of the stream: it reconnects with Last-Event-ID and loses nothing the history
// still holds. Without events, a comment every Options::keepAlive keeps proxies from closing
// the connection and shows the server a client that went away. stop() ends every stream
// with a comment, and later requests get 503: pbxd's shutdown never waits on a client.
//
//   EventStreams streams(pbx->calls().events(), {});
//   streams.addRoutes(router);
//   ...
//   streams.stop();      // before the HTTP server is stopped
//
// Thread-safety: the handler runs on any number of HTTP threads; stop() from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "examples/pbxd/rest/router.h"
#include "pbx/call/call_events.h"

namespace pbxd::rest {

// "id: 42\nevent: pbx.call.start\ndata: {...}\n\n"
std::string SseEvent(const pbx::call::CallEvent& event);
// ": text\n\n" (a comment; every line of `text` gets its ':').
std::string SseComment(std::string_view text);

// What a GET /rest/events asks for.
struct EventStreamQuery {
  std::optional<uint64_t> since;  // Last-Event-ID, else ?since=
  pbx::call::EventFilter filter;
};
// InvalidArgument (400) for a since or Last-Event-ID that is not a whole number, an unknown
// event type, a malformed linkedid.
absl::StatusOr<EventStreamQuery> ParseEventStreamQuery(const httplib::Request& request);

// The events waiting for one client. push() and close() from any thread, take() from the
// one serving the client.
class EventQueue {
 public:
  explicit EventQueue(size_t capacity) : capacity_(capacity) {}

  // Appends a copy of `event`; past the capacity it drops the event and marks the queue
  // overflowed, so that the stream ends once what was queued is sent.
  void push(const pbx::call::CallEvent& event);
  // Ends the stream once what is queued is sent; `reason` is its last comment.
  void close(std::string reason);

  struct Batch {
    std::string text;  // SSE to write: events, or a comment
    bool end = false;  // the stream ends after `text`
  };
  // Waits up to `wait` for events (or the end), then takes up to `maxEvents` of them. Empty
  // text when the wait passed without anything.
  Batch take(std::chrono::milliseconds wait, size_t maxEvents = 256);

 private:
  const size_t capacity_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<pbx::call::CallEvent> events_;  // guarded by mutex_
  bool overflowed_ = false;                  // guarded by mutex_
  std::optional<std::string> closed_;        // guarded by mutex_
  uint64_t lastTaken_ = 0;                   // guarded by mutex_
};

class EventStreams {
 public:
  struct Options {
    size_t maxStreams = 16;         // open streams at most; beyond: 503
    size_t maxQueuedEvents = 2000;  // per stream; beyond: the client is disconnected
    std::chrono::milliseconds keepAlive{15000};
    std::chrono::milliseconds retry{2000};  // the reconnection delay the stream suggests
  };

  EventStreams(pbx::call::EventStream& events, Options options);
  ~EventStreams();

  void addRoutes(Router& router);
  // Ends every open stream (its queued events, then a comment and the end of the response)
  // and refuses new ones with 503. Idempotent.
  void stop();
  size_t openStreams() const;

  // The handler of GET /rest/events (public for tests that run it without a server).
  void serve(const RequestContext& request, httplib::Response& response);

 private:
  struct Stream {
    explicit Stream(size_t capacity) : queue(capacity) {}
    EventQueue queue;
    pbx::call::EventSubscriptionPtr subscription;
    bool greeted = false;  // the first write (a comment and `retry:`) is done
  };
  void release(const std::shared_ptr<Stream>& stream);

  pbx::call::EventStream& events_;
  const Options options_;
  mutable std::mutex mutex_;
  bool stopped_ = false;                          // guarded by mutex_
  std::vector<std::shared_ptr<Stream>> streams_;  // guarded by mutex_
};

}  // namespace pbxd::rest
