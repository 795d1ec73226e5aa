// The media layer's options: the media engine (address, ports, threads) and the RTP timeout.
// Part of pbx::Options (pbx/options.h); pbxd fills them from its YAML `media:` section.
//
// Thread-safety: value types.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "pbx/media/media_engine.h"

namespace pbx {

struct MediaOptions {
  media::MediaEngineOptions engine;
  // An answered call whose relay saw no RTP in either direction for this long is ended.
  // Zero disables the check.
  std::chrono::seconds rtpTimeout{60};
  // What a leg hears while the other party holds it, or while it waits parked: sound files
  // (WAV or any format libsndfile reads), looped. Empty: silence.
  std::vector<std::string> musicOnHold;
};

}  // namespace pbx
