// A prompt made on the spot: a sine tone written as a 16-bit mono WAV, so the examples and
// their tests run without shipping audio. Any WAV (or other file libsndfile reads) plays the
// same way.
//
//   examples::WriteToneWav("/tmp/beep.wav", 440, std::chrono::milliseconds(800));
//
// Thread-safety: a function on its arguments (it writes the file).
#pragma once

#include <chrono>
#include <string>

#include "absl/status/status.h"

namespace examples {

absl::Status WriteToneWav(const std::string& path, double frequencyHz,
                          std::chrono::milliseconds duration, int sampleRate = 8000);

}  // namespace examples
