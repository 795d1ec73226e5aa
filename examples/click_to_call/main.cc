// click_to_call: a PBX that, once SOURCE and DESTINATION have registered, rings SOURCE, then
// connects it to DESTINATION, printing each event of the call until it ends.
//
//   click_to_call [udp:127.0.0.1:5070] [SOURCE=200] [DESTINATION=201]
//
// Phones register as 200/pw200 and 201/pw201 (the extensions below). Exit status: 0 when
// the call was answered and ended, 1 when it could not be made.
#include <pbx/pbx.h>

#include <chrono>
#include <cstdio>
#include <future>
#include <string>
#include <thread>

#include "click_to_call.h"

int main(int argc, char** argv) {
  std::string listen = argc > 1 ? argv[1] : "udp:127.0.0.1:5070";
  std::string source = argc > 2 ? argv[2] : "200";
  std::string destination = argc > 3 ? argv[3] : "201";

  pbx::Options options;
  options.sip.listen = {listen};
  options.media.engine.portMin = 31000;
  options.media.engine.portMax = 31999;
  options.directory.extensions = {{"200", {{"200", "pw200"}}, "Desk"},
                                  {"201", {{"201", "pw201"}}, "Lab"}};
  auto pbx = pbx::Pbx::Create(options);
  if (!pbx.ok()) {
    std::fprintf(stderr, "click_to_call: %s\n", std::string(pbx.status().message()).c_str());
    return 1;
  }
  std::printf("click_to_call: waiting for %s and %s to register on %s\n", source.c_str(),
              destination.c_str(), listen.c_str());
  std::fflush(stdout);

  // Until the source has registered, originate() completes with Unavailable: try again.
  for (int attempt = 0;; ++attempt) {
    std::promise<examples::ClickToCallResult> finished;
    auto subscription = examples::StartClickToCall(
        (*pbx)->calls(), source, destination, "example-" + std::to_string(attempt),
        [](const std::string& line) { std::printf("  %s\n", line.c_str()), std::fflush(stdout); },
        [&](const examples::ClickToCallResult& r) { finished.set_value(r); });
    if (!subscription.ok()) return 1;
    examples::ClickToCallResult result = finished.get_future().get();
    if (result.call.ok()) {
      std::printf("click_to_call: %s ended (%s)\n", result.call->str().c_str(),
                  pbx::call::CauseName(result.cause));
      (*pbx)->stop();
      return result.cause == pbx::call::Cause::kNormalClearing ? 0 : 1;
    }
    if (result.call.status().code() != absl::StatusCode::kUnavailable || attempt > 600) {
      std::fprintf(stderr, "click_to_call: %s\n",
                   std::string(result.call.status().message()).c_str());
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}
