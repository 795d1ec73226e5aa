// RestApi: pbxd's REST API without its HTTP server: the authenticator and the routes (the
// salt, the API document, the phone services, the event stream) over one PBX's call API.
// RestServer (rest_server.h) serves it over HTTP; tests call router().dispatch() directly.
//
//   GET  /rest/salt/{domain}                              anonymous: {"domain", "salt"}
//   GET  /api/doc.json                                    anonymous: openapi.h
//   GET|POST /rest/phoneServices/c2c/{dest}/{source}      phone_services.h
//   GET  /rest/phoneServices/activeCalls
//   POST|DELETE /rest/phoneServices/hangup/{linkedid}
//   POST /rest/phoneServices/{blindTransfer,attendedTransfer,hold,unhold,dtmf,park,unpark,
//                             pickup}/...
//   GET|POST /api/pbx/v2/phoneService/redirectCall/{linkedId}/internal/{destination}[/{source}]
//   POST /rest/phoneServices/{play,stopPlaying,collectDigits,record}/{linkedid}
//   POST /rest/phoneServices/{pause,resume,stop}Recording/{linkedid}/{recording}
//                                                         media_services.h
//   GET  /rest/events                                     event_stream.h
//
//   auto api = RestApi::Create(authOptions, timeSource, pbx->calls(), {});
//   if (!api.ok()) return api.status();
//   (*api)->router().dispatch(request, response);
//   (*api)->stop();         // ends the event streams and digit collections, before the server
//   stops
//
// Thread-safety: router().dispatch() from any number of threads; stop() from any thread.
#pragma once

#include <chrono>
#include <memory>

#include "absl/status/statusor.h"
#include "examples/pbxd/rest/event_stream.h"
#include "examples/pbxd/rest/media_services.h"
#include "examples/pbxd/rest/phone_services.h"
#include "examples/pbxd/rest/rest_auth.h"
#include "examples/pbxd/rest/router.h"
#include "pbx/base/time_source.h"
#include "pbx/call/call_control.h"

namespace pbxd::rest {

class RestApi {
 public:
  struct Options {
    // How long a request waits for the call API before it answers 504.
    std::chrono::milliseconds operationTimeout{5000};
    EventStreams::Options events{};
    Router::Limits limits{};
    // The directories clients name prompts and recordings in; without one, its endpoints
    // answer 501.
    MediaFiles media{};
    MediaServices::Limits mediaLimits{};
  };

  // `time` (the authenticator's clock, which also names recordings) and `calls` must outlive
  // the API. Fails as
  // RestAuthenticator::Create() does.
  static absl::StatusOr<std::unique_ptr<RestApi>> Create(const RestAuthOptions& auth,
                                                         const pbx::TimeSource& time,
                                                         pbx::call::CallControl& calls,
                                                         const Options& options);

  const Router& router() const { return router_; }
  EventStreams& eventStreams() { return events_; }
  // Ends the event streams and the digit collections waiting; new ones get 503.
  void stop() {
    events_.stop();
    media_.stop();
  }

 private:
  RestApi(std::unique_ptr<RestAuthenticator> authenticator, const pbx::TimeSource& time,
          pbx::call::CallControl& calls, const Options& options);

  std::unique_ptr<RestAuthenticator> authenticator_;
  Router router_;
  PhoneServices phoneServices_;
  MediaServices media_;
  EventStreams events_;
};

}  // namespace pbxd::rest
