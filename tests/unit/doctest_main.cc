// Test main: quiet logs (PBX_LOG_LEVEL=debug to see them), then doctest.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdlib>

#include "pbx/base/logging.h"

int main(int argc, char** argv) {
  pbx::LogLevel level = pbx::LogLevel::kWarning;
  if (const char* env = std::getenv("PBX_LOG_LEVEL")) pbx::ParseLogLevel(env, &level);
  pbx::SetLogLevel(level);
  return doctest::Context(argc, argv).run();
}
