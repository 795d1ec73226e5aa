// Test helpers for the media examples: a temporary folder, and a reader for the 16-bit PCM WAV
// files pbxkit records, with the two measures the tests check (level and frequency).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

namespace examples::test {

// A folder under the system's temp dir, removed with everything in it.
struct TempDir {
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "pbx-media-XXXXXX").string();
    path = mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
  std::filesystem::path path;
};

struct Wav {
  int channels = 0;
  int rate = 0;
  std::vector<std::vector<int16_t>> samples;  // per channel

  // The samples of `channel` from `from` to `to` seconds.
  std::vector<int16_t> slice(int channel, double from, double to) const {
    const auto& all = samples[static_cast<size_t>(channel)];
    auto begin = std::min(all.size(), static_cast<size_t>(from * rate));
    auto end = std::min(all.size(), static_cast<size_t>(to * rate));
    return {all.begin() + static_cast<ptrdiff_t>(begin), all.begin() + static_cast<ptrdiff_t>(end)};
  }
};

inline uint32_t Le(const char* p, int bytes) {
  uint32_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

// A 16-bit PCM WAV; nullopt for anything else (or a file that is not complete).
inline std::optional<Wav> ReadWav(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() < 12 || bytes.compare(0, 4, "RIFF") != 0 || bytes.compare(8, 4, "WAVE") != 0)
    return std::nullopt;
  Wav wav;
  size_t at = 12;
  while (at + 8 <= bytes.size()) {
    const std::string id = bytes.substr(at, 4);
    const size_t size = Le(&bytes[at + 4], 4);
    const char* body = &bytes[at + 8];
    if (at + 8 + size > bytes.size()) return std::nullopt;
    if (id == "fmt ") {
      if (Le(body, 2) != 1 || Le(body + 14, 2) != 16) return std::nullopt;
      wav.channels = static_cast<int>(Le(body + 2, 2));
      wav.rate = static_cast<int>(Le(body + 4, 4));
    } else if (id == "data" && wav.channels > 0) {
      wav.samples.resize(static_cast<size_t>(wav.channels));
      for (size_t i = 0; i + 2 <= size; i += 2) {
        const auto sample = static_cast<int16_t>(Le(body + i, 2));
        wav.samples[(i / 2) % static_cast<size_t>(wav.channels)].push_back(sample);
      }
      return wav;
    }
    at += 8 + size + (size & 1);
  }
  return std::nullopt;
}

inline double Rms(const std::vector<int16_t>& samples) {
  double sum = 0;
  for (int16_t s : samples) sum += static_cast<double>(s) * s;
  return samples.empty() ? 0 : std::sqrt(sum / static_cast<double>(samples.size()));
}

// The frequency of a steady tone, from its rising zero crossings.
inline double ToneFrequency(const std::vector<int16_t>& samples, int rate) {
  int crossings = 0;
  for (size_t i = 1; i < samples.size(); ++i)
    if (samples[i - 1] < 0 && samples[i] >= 0) ++crossings;
  return samples.empty() ? 0 : crossings * static_cast<double>(rate) / samples.size();
}

}  // namespace examples::test
