#include "examples/pbxd/rest/rest_api.h"

#include <httplib.h>

#include "examples/pbxd/rest/openapi.h"

namespace pbxd::rest {

absl::StatusOr<std::unique_ptr<RestApi>> RestApi::Create(const RestAuthOptions& auth,
                                                         const pbx::TimeSource& time,
                                                         pbx::call::CallControl& calls,
                                                         const Options& options) {
  auto authenticator = RestAuthenticator::Create(auth, time);
  if (!authenticator.ok()) return authenticator.status();
  return std::unique_ptr<RestApi>(new RestApi(*std::move(authenticator), time, calls, options));
}

RestApi::RestApi(std::unique_ptr<RestAuthenticator> authenticator, const pbx::TimeSource& time,
                 pbx::call::CallControl& calls, const Options& options)
    : authenticator_(std::move(authenticator)),
      router_(*authenticator_, options.limits),
      phoneServices_(calls, options.operationTimeout),
      media_(calls, time, options.operationTimeout, options.media, options.mediaLimits),
      events_(calls.events(), options.events) {
  router_.add(
      {"GET"}, "/rest/salt/{domain}",
      [this](const RequestContext& request, httplib::Response& response) {
        const std::string& domain = request.param("domain");
        auto salt = authenticator_->salt(domain);
        if (!salt.ok()) return ReplyError(response, 404, "no such domain");
        ReplyJson(response, 200, {{"domain", domain}, {"salt", *salt}});
      },
      Access::kAnonymous);
  router_.add(
      {"GET"}, "/api/doc.json",
      [document = OpenApiDocument()](const RequestContext&, httplib::Response& response) {
        ReplyJson(response, 200, document);
      },
      Access::kAnonymous);
  phoneServices_.addRoutes(router_);
  media_.addRoutes(router_);
  events_.addRoutes(router_);
}

}  // namespace pbxd::rest
