// MakeTestEngine(): a real MediaEngineImpl on loopback for the media tests, on the clock the
// test chooses (a SimulatedTimeSource to move time, or the real one).
//
// Thread-safety: the returned engine is as thread-safe as any engine.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <string>

#include "lib/media/rtp/media_engine_impl.h"
#include "pbx/base/time_source.h"

namespace pbx::media::testing {

inline std::unique_ptr<internal::MediaEngineImpl> MakeTestEngine(
    const TimeSource& time, uint16_t portMin, uint16_t portMax, int threads = 1,
    const std::string& address = "127.0.0.1") {
  MediaEngineOptions options;
  options.address = address;
  options.portMin = portMin;
  options.portMax = portMax;
  options.threads = threads;
  auto engine = internal::MediaEngineImpl::Create(options, time);
  REQUIRE_MESSAGE(engine.ok(), engine.status().ToString());
  return std::move(*engine);
}

}  // namespace pbx::media::testing
