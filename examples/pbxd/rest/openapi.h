// The OpenAPI 3 document of pbxd's REST API, served at GET /api/doc.json (where the seed PBX
// serves its Swagger document). Written by hand: it says what each endpoint is for, which
// a generator could not; a unit test checks that it lists exactly the routes the router
// serves (tests/unit/pbxd/rest_api_test.cc).
//
//   router.add({"GET"}, "/api/doc.json", [](auto&, auto& res) {
//     ReplyJson(res, 200, OpenApiDocument());
//   }, Access::kAnonymous);
//
// Thread-safety: a pure function.
#pragma once

#include <nlohmann/json.hpp>

namespace pbxd::rest {

nlohmann::json OpenApiDocument();

}  // namespace pbxd::rest
