#include "examples/pbxd/rest/event_stream.h"

#include <httplib.h>

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "examples/pbxd/rest/call_json.h"

namespace pbxd::rest {
namespace {

using pbx::call::CallEvent;

absl::StatusOr<uint64_t> Sequence(const std::string& text, std::string_view what) {
  uint64_t value = 0;
  if (text.empty() || text.size() > 20 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      !absl::SimpleAtoi(text, &value))
    return absl::InvalidArgumentError(absl::StrCat(absl::string_view(what.data(), what.size()),
                                                   " must be an event's sequence number"));
  return value;
}

}  // namespace

std::string SseEvent(const CallEvent& event) {
  return absl::StrCat("id: ", event.sequence, "\nevent: ", pbx::call::EventName(event.type),
                      "\ndata: ", DumpJson(EventJson(event)), "\n\n");
}

std::string SseComment(std::string_view text) {
  std::string out;
  for (absl::string_view line : absl::StrSplit(absl::string_view(text.data(), text.size()), '\n'))
    absl::StrAppend(&out, ": ", line, "\n");
  return out + "\n";
}

absl::StatusOr<EventStreamQuery> ParseEventStreamQuery(const httplib::Request& request) {
  EventStreamQuery query;
  const std::string lastEventId = request.get_header_value("Last-Event-ID");
  if (!lastEventId.empty()) {
    auto since = Sequence(lastEventId, "Last-Event-ID");
    if (!since.ok()) return since.status();
    query.since = *since;
  } else if (request.has_param("since")) {
    auto since = Sequence(request.get_param_value("since"), "since");
    if (!since.ok()) return since.status();
    query.since = *since;
  }
  if (request.has_param("types")) {
    for (absl::string_view name : absl::StrSplit(request.get_param_value("types"), ',')) {
      name = absl::StripAsciiWhitespace(name);
      if (name.empty()) continue;
      auto type = pbx::call::EventTypeFromName(std::string_view(name.data(), name.size()));
      if (!type)
        return absl::InvalidArgumentError(
            absl::StrCat("unknown event type '", name.substr(0, 64),
                         "' in types (names like pbx.call.start, pbx.call.end)"));
      query.filter.types.push_back(*type);
    }
  }
  if (request.has_param("linkedid")) {
    query.filter.call = ParseLinkedId(request.get_param_value("linkedid"));
    if (!query.filter.call)
      return absl::InvalidArgumentError("linkedid must look like C1F (as the API writes it)");
  }
  query.filter.number = request.get_param_value("extension");
  return query;
}

void EventQueue::push(const CallEvent& event) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (overflowed_ || closed_) return;
    if (events_.size() >= capacity_) {
      overflowed_ = true;
    } else {
      events_.push_back(event);
    }
  }
  ready_.notify_one();
}

void EventQueue::close(std::string reason) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!closed_) closed_ = std::move(reason);
  }
  ready_.notify_one();
}

EventQueue::Batch EventQueue::take(std::chrono::milliseconds wait, size_t maxEvents) {
  std::vector<CallEvent> taken;
  Batch batch;
  std::string ending;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    ready_.wait_for(lock, wait, [this] { return !events_.empty() || overflowed_ || closed_; });
    while (!events_.empty() && taken.size() < maxEvents) {
      taken.push_back(std::move(events_.front()));
      events_.pop_front();
    }
    if (!taken.empty()) lastTaken_ = taken.back().sequence;
    if (events_.empty() && overflowed_) {
      batch.end = true;
      ending =
          absl::StrCat("disconnected: this client fell ", capacity_,
                       " events behind; reconnect with Last-Event-ID: ", lastTaken_, " to resume");
    } else if (events_.empty() && closed_) {
      batch.end = true;
      ending = *closed_;
    }
  }
  // Formatted without the lock, which the event thread's push() takes.
  for (const CallEvent& event : taken) batch.text += SseEvent(event);
  if (batch.end) batch.text += SseComment(ending);
  return batch;
}

EventStreams::EventStreams(pbx::call::EventStream& events, Options options)
    : events_(events), options_(options) {}

EventStreams::~EventStreams() { stop(); }

void EventStreams::addRoutes(Router& router) {
  router.add({"GET"}, "/rest/events",
             [this](const RequestContext& r, httplib::Response& res) { serve(r, res); });
}

void EventStreams::stop() {
  std::vector<std::shared_ptr<Stream>> streams;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopped_ = true;
    streams = streams_;
  }
  for (auto& stream : streams) stream->queue.close("pbxd is stopping");
}

size_t EventStreams::openStreams() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return streams_.size();
}

void EventStreams::serve(const RequestContext& request, httplib::Response& response) {
  auto query = ParseEventStreamQuery(request.http);
  if (!query.ok()) return ReplyStatus(response, query.status());
  auto stream = std::make_shared<Stream>(options_.maxQueuedEvents);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopped_) return ReplyError(response, 503, "pbxd is stopping");
    if (streams_.size() >= options_.maxStreams)
      return ReplyError(response, 503,
                        absl::StrCat("too many event streams are open (", options_.maxStreams,
                                     "); try again later"));
    streams_.push_back(stream);
  }
  // The queue outlives the subscription (a Stream destroys its subscription first, and that
  // waits for a listener call in progress), so the listener may hold it by reference.
  EventQueue& queue = stream->queue;
  auto subscription = events_.subscribe(query->filter, query->since,
                                        [&queue](const CallEvent& event) { queue.push(event); });
  if (!subscription.ok()) {
    release(stream);
    // OutOfRange (410): the history does not reach back to `since`.
    return ReplyError(response, HttpStatusForError(subscription.status()),
                      absl::StrCat(subscription.status().message(),
                                   "; reconnect without since or Last-Event-ID"));
  }
  stream->subscription = *std::move(subscription);

  response.status = 200;
  response.set_header("Cache-Control", "no-cache");
  response.set_header("X-Accel-Buffering", "no");  // no buffering in a reverse proxy
  response.set_chunked_content_provider(
      "text/event-stream",
      [this, stream](size_t /*offset*/, httplib::DataSink& sink) {
        std::string text;
        bool end = false;
        if (!stream->greeted) {
          // At once, so that the client sees the stream open (its subscription is).
          stream->greeted = true;
          text =
              absl::StrCat("retry: ", options_.retry.count(), "\n", SseComment("pbxd call events"));
        } else {
          EventQueue::Batch batch = stream->queue.take(options_.keepAlive);
          text = batch.text.empty() ? SseComment("keep-alive") : std::move(batch.text);
          end = batch.end;
        }
        if (!sink.write(text.data(), text.size())) return false;
        if (end) sink.done();
        return true;
      },
      [this, stream](bool /*success*/) { release(stream); });
}

void EventStreams::release(const std::shared_ptr<Stream>& stream) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    std::erase(streams_, stream);
  }
  stream->subscription.reset();
}

}  // namespace pbxd::rest
