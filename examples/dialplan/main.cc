// business_hours: a PBX whose main number 500 rings reception (100, then 101) on weekdays
// 08:00-18:00 (UTC+1) and the on-call phone 103 otherwise; caller 102 always reaches 101.
//
//   business_hours [udp:127.0.0.1:5070] [seconds]
#include <pbx/pbx.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "business_hours.h"

int main(int argc, char** argv) {
  std::string listen = argc > 1 ? argv[1] : "udp:127.0.0.1:5070";
  int seconds = argc > 2 ? std::stoi(argv[2]) : -1;
  pbx::Options options;
  options.sip.listen = {listen};
  options.media.engine.portMin = 32000;
  options.media.engine.portMax = 32999;
  for (const char* n : {"100", "101", "102", "103"})
    options.directory.extensions.push_back({n, {{n, std::string("pw") + n}}});
  auto pbx = pbx::Pbx::Create(options);
  if (!pbx.ok()) {
    std::fprintf(stderr, "business_hours: %s\n", std::string(pbx.status().message()).c_str());
    return 1;
  }
  const pbx::TimeSource& clock = pbx::RealTime();
  examples::BusinessHours::Rules rules;
  rules.reception = {"100", "101"};
  rules.onCall = "103";
  rules.vip = {{"102", "101"}};
  auto dialplan = std::make_shared<examples::BusinessHours>(rules, clock);
  (*pbx)->calls().setDialplan(dialplan);
  std::printf("business_hours ready on %s: reception is %s now\n", listen.c_str(),
              dialplan->open(clock.systemTime()) ? "open" : "closed");
  std::fflush(stdout);
  for (int s = 0; seconds < 0 || s < seconds; ++s)
    std::this_thread::sleep_for(std::chrono::seconds(1));
  (*pbx)->stop();
  return 0;
}
