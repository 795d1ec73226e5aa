// MediaServices: the media endpoints of pbxd's REST API, beside the phone services and in
// their style (docs/rest-api.md, "Media"):
//
//   POST /rest/phoneServices/play/{linkedid}[?leg=callee]          {"files": [...], "loop": false}
//   POST /rest/phoneServices/stopPlaying/{linkedid}[?leg=callee]
//   POST /rest/phoneServices/collectDigits/{linkedid}[?leg=caller] {"max_digits": 4, ...}
//   POST /rest/phoneServices/record/{linkedid}[?leg=caller]        {"file": "x.wav", "mode": ...}
//   POST /rest/phoneServices/{pauseRecording,resumeRecording,stopRecording}/{linkedid}/{recording}
//
// Each but collectDigits is a call operation like hold's (CallOperationHandler: answered once
// the PBX did it, 504 after the operation timeout). collectDigits is a long poll: the answer
// comes when the collection ends (digits, terminator, timeout, or the leg ended), so it waits
// as long as the collection can last (its timeouts, at most Limits::longestCollection) plus
// the operation timeout. At most Limits::maxWaiting collections wait at once (503 beyond), so
// they cannot take every HTTP thread; stop() answers those waiting with 503 at once, so that a
// stopping pbxd is not held up by a phone that never sends its digits.
//
//   MediaServices media(pbx->calls(), time, std::chrono::seconds(5), files, {});
//   media.addRoutes(router);
//   ...
//   media.stop();
//
// Thread-safety: the handlers run on any number of HTTP threads at once; stop() from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>

#include "examples/pbxd/rest/media_operations.h"
#include "examples/pbxd/rest/router.h"
#include "pbx/base/time_source.h"
#include "pbx/call/call_control.h"

namespace pbxd::rest {

class MediaServices {
 public:
  struct Limits {
    size_t maxWaiting = 4;  // digit collections waiting at once
    // The longest collection a client may ask for (its timeouts added up).
    std::chrono::milliseconds longestCollection{120000};
  };

  // `calls` and `time` (which names default recordings) must outlive the services.
  MediaServices(pbx::call::CallControl& calls, const pbx::TimeSource& time,
                std::chrono::milliseconds operationTimeout, MediaFiles files, Limits limits);

  void addRoutes(Router& router);
  // Collections waiting are answered 503 at once, and so are new ones.
  void stop();

 private:
  // What the HTTP threads waiting for digits share with the completions that wake them.
  struct Waiting {
    std::mutex mutex;
    std::condition_variable changed;
    size_t count = 0;
    bool stopping = false;
  };

  void collectDigits(const RequestContext& request, httplib::Response& response);

  pbx::call::CallControl& calls_;
  const pbx::TimeSource& time_;
  const std::chrono::milliseconds operationTimeout_;
  const std::shared_ptr<const MediaFiles> files_;
  const Limits limits_;
  const std::shared_ptr<Waiting> waiting_ = std::make_shared<Waiting>();
};

}  // namespace pbxd::rest
