// media_demo: a PBX that answers every call, plays a prompt, records the caller, prints the
// digits the caller dials (up to 4, or until #), and hangs up once the recording is on disk.
//
//   media_demo [udp:127.0.0.1:5070] [PROMPT.wav] [RECORDINGS_DIR=.] [seconds]
//
// Phones register as 200/pw200 or 201/pw201 and dial anything. Without PROMPT a 440 Hz beep
// is written to RECORDINGS_DIR/prompt.wav and played. Runs for `seconds` (default: until
// killed).
#include <pbx/pbx.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "media_demo.h"
#include "tone_wav.h"

int main(int argc, char** argv) {
  std::string listen = argc > 1 ? argv[1] : "udp:127.0.0.1:5070";
  std::string prompt = argc > 2 ? argv[2] : "";
  std::string recordings = argc > 3 ? argv[3] : ".";
  int seconds = argc > 4 ? std::stoi(argv[4]) : -1;
  if (prompt.empty()) {
    prompt = recordings + "/prompt.wav";
    if (auto written = examples::WriteToneWav(prompt, 440, std::chrono::milliseconds(800));
        !written.ok()) {
      std::fprintf(stderr, "media_demo: %s\n", std::string(written.message()).c_str());
      return 1;
    }
  }

  pbx::Options options;
  options.sip.listen = {listen};
  options.media.engine.portMin = 33000;
  options.media.engine.portMax = 33999;
  options.directory.extensions = {{"200", {{"200", "pw200"}}, "Desk"},
                                  {"201", {{"201", "pw201"}}, "Lab"}};
  auto pbx = pbx::Pbx::Create(options);
  if (!pbx.ok()) {
    std::fprintf(stderr, "media_demo: %s\n", std::string(pbx.status().message()).c_str());
    return 1;
  }
  auto print = [](const std::string& line) {
    std::printf("  %s\n", line.c_str());
    std::fflush(stdout);
  };
  auto demo = std::make_shared<examples::MediaDemo>(
      (*pbx)->calls(), examples::MediaDemo::Settings{.prompt = prompt, .recordings = recordings},
      print);
  auto following = demo->follow((*pbx)->calls().events());
  if (!following.ok()) return 1;
  (*pbx)->calls().setDialplan(demo);
  std::printf("media_demo ready on %s: call any number from 200 or 201\n", listen.c_str());
  std::fflush(stdout);

  for (int s = 0; seconds < 0 || s < seconds; ++s)
    std::this_thread::sleep_for(std::chrono::seconds(1));
  following->reset();  // before the PBX goes
  (*pbx)->stop();
  return 0;
}
