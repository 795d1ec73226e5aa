// A softswitch in one screen: two extensions that can call each other, through the pbxkit
// library as installed (find_package(pbxkit) or pkg-config pbxkit).
//
//   softswitch [udp:127.0.0.1:5070] [seconds]
//
// Registers phones 200/pw200 and 201/pw201, relays their calls and media, prints the
// metrics when it stops (after `seconds`, default: run until killed).
#include <pbx/pbx.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <string>
#include <thread>

int main(int argc, char** argv) {
  std::string listen = argc > 1 ? argv[1] : "udp:127.0.0.1:5070";
  int seconds = argc > 2 ? std::stoi(argv[2]) : -1;

  pbx::Options options;
  options.sip.listen = {listen};
  options.media.engine.portMin = 30000;
  options.media.engine.portMax = 30999;
  options.directory.extensions = {{"200", {{"200", "pw200"}}, "Desk"},
                                  {"201", {{"201", "pw201"}}, "Lab"}};

  auto pbx = pbx::Pbx::Create(options);
  if (!pbx.ok()) {
    std::fprintf(stderr, "softswitch: %s\n", std::string(pbx.status().message()).c_str());
    return 1;
  }
  std::printf("softswitch ready on %s\n", listen.c_str());
  std::fflush(stdout);
  for (int s = 0; seconds < 0 || s < seconds; ++s)
    std::this_thread::sleep_for(std::chrono::seconds(1));
  (*pbx)->stop();
  std::printf("%s", (*pbx)->metrics().renderPrometheus().c_str());
  return 0;
}
