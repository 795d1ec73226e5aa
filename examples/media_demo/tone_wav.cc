#include "tone_wav.h"

#include <cmath>
#include <cstdint>
#include <fstream>
#include <numbers>
#include <vector>

namespace examples {
namespace {

void Put(std::vector<char>& out, uint32_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

}  // namespace

absl::Status WriteToneWav(const std::string& path, double frequencyHz,
                          std::chrono::milliseconds duration, int sampleRate) {
  const auto samples = static_cast<uint32_t>(duration.count() * sampleRate / 1000);
  std::vector<char> wav;
  wav.insert(wav.end(), {'R', 'I', 'F', 'F'});
  Put(wav, 36 + samples * 2, 4);
  wav.insert(wav.end(), {'W', 'A', 'V', 'E', 'f', 'm', 't', ' '});
  Put(wav, 16, 4);              // the fmt chunk's size
  Put(wav, 1, 2);               // PCM
  Put(wav, 1, 2);               // mono
  Put(wav, sampleRate, 4);      // frames per second
  Put(wav, sampleRate * 2, 4);  // bytes per second
  Put(wav, 2, 2);               // bytes per frame
  Put(wav, 16, 2);              // bits per sample
  wav.insert(wav.end(), {'d', 'a', 't', 'a'});
  Put(wav, samples * 2, 4);
  for (uint32_t i = 0; i < samples; ++i) {
    const double t = static_cast<double>(i) / sampleRate;
    const auto sample =
        static_cast<int16_t>(8000 * std::sin(2 * std::numbers::pi * frequencyHz * t));
    Put(wav, static_cast<uint16_t>(sample), 2);
  }
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file.write(wav.data(), static_cast<std::streamsize>(wav.size()));
  file.close();
  if (!file) return absl::UnavailableError("cannot write " + path);
  return absl::OkStatus();
}

}  // namespace examples
