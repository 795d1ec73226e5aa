// ivr: a PBX whose number 500 answers with a menu: 1 reaches extension 101, 2 reaches 102, and
// a caller who chooses nothing hears the menu once more, then reaches the operator, 100.
//
//   ivr MENU.wav [udp:127.0.0.1:5070] [seconds]
//
// MENU.wav is any WAV (or file libsndfile reads), e.g. `sox -n -r 8000 -b 16 menu.wav synth 2
// sine 440`. Phones register as 100-103 with passwords pw100-pw103.
#include <pbx/pbx.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "ivr.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: ivr MENU.wav [udp:127.0.0.1:5070] [seconds]\n");
    return 2;
  }
  std::string listen = argc > 2 ? argv[2] : "udp:127.0.0.1:5070";
  int seconds = argc > 3 ? std::stoi(argv[3]) : -1;
  pbx::Options options;
  options.sip.listen = {listen};
  options.media.engine.portMin = 34000;
  options.media.engine.portMax = 34999;
  for (const char* n : {"100", "101", "102", "103"})
    options.directory.extensions.push_back({n, {{n, std::string("pw") + n}}});
  auto pbx = pbx::Pbx::Create(options);
  if (!pbx.ok()) {
    std::fprintf(stderr, "ivr: %s\n", std::string(pbx.status().message()).c_str());
    return 1;
  }
  examples::Ivr::Menu menu;
  menu.prompt = argv[1];
  menu.choices = {{'1', "101"}, {'2', "102"}};
  menu.operatorExtension = "100";
  (*pbx)->calls().setDialplan(
      std::make_shared<examples::Ivr>((*pbx)->calls(), menu, [](const std::string& line) {
        std::printf("  %s\n", line.c_str());
        std::fflush(stdout);
      }));
  std::printf("ivr ready on %s: dial 500\n", listen.c_str());
  std::fflush(stdout);
  for (int s = 0; seconds < 0 || s < seconds; ++s)
    std::this_thread::sleep_for(std::chrono::seconds(1));
  (*pbx)->stop();
  return 0;
}
