// PromptCache: decodes each prompt file once into an immutable 16 kHz buffer that any number
// of players share.
//
// A prompt is decoded (ReadSoundFile: any format libsndfile reads, downmixed to mono) and
// resampled to the graph rate at speexdsp's high quality, which a one-time decode can afford.
// The cache keeps at most maxBytes of samples; past that it forgets the least recently used
// prompts. A player holding a Prompt keeps it alive through its shared_ptr, so eviction never
// pulls audio from under a call; the memory goes when the last player lets go.
//
//   PromptCache cache({.maxBytes = 32 << 20});
//   // On a worker thread (load() reads the disk):
//   absl::StatusOr<PromptPtr> prompt = cache.load("/usr/share/pbx/sounds/welcome.wav");
//   // ...then post *prompt to the media thread and give it to a Player.
//
// Thread-safety: every method may be called from any thread. load() blocks on disk and on
// decoding; find() only takes a short lock. Concurrent loads of one path decode it once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "lib/media/audio/audio_frame.h"

namespace pbx::media::internal {

// Decoded audio at kGraphRate, never modified once built.
struct Prompt {
  std::string name;  // the path it was loaded from
  std::vector<int16_t> samples;

  size_t bytes() const { return samples.size() * sizeof(int16_t); }
  std::chrono::milliseconds duration() const {
    return std::chrono::milliseconds(samples.size() * 1000 / kGraphRate);
  }
};
using PromptPtr = std::shared_ptr<const Prompt>;

// Decodes and resamples one file, without caching it.
absl::StatusOr<PromptPtr> DecodePrompt(const std::string& path);

class PromptCache {
 public:
  struct Options {
    size_t maxBytes = 64u << 20;  // about 35 minutes of 16 kHz audio
  };
  struct Stats {
    size_t prompts = 0;
    size_t bytes = 0;
    uint64_t hits = 0;
    uint64_t misses = 0;
    uint64_t evictions = 0;
  };

  explicit PromptCache(Options options);
  PromptCache() : PromptCache(Options()) {}
  PromptCache(const PromptCache&) = delete;
  PromptCache& operator=(const PromptCache&) = delete;

  // The cached prompt for `path`, decoding it first on a miss. A prompt larger than maxBytes
  // on its own is returned but not kept. Errors (missing file, unreadable format) are not
  // cached: the next load tries again.
  absl::StatusOr<PromptPtr> load(const std::string& path);
  // The cached prompt, or null; never touches the disk.
  PromptPtr find(const std::string& path);
  // Forgets a prompt (a file replaced on disk); players holding it keep playing the old one.
  void erase(const std::string& path);
  void clear();
  Stats stats() const;

 private:
  struct Entry {
    PromptPtr prompt;
    std::list<std::string>::iterator recency;
  };

  void insertLocked(const std::string& path, const PromptPtr& prompt)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  void eraseLocked(std::unordered_map<std::string, Entry>::iterator it)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  const Options options_;
  mutable std::mutex mutex_;
  std::condition_variable loaded_;  // a path left loading_
  std::unordered_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mutex_);
  std::list<std::string> recency_ ABSL_GUARDED_BY(mutex_);  // front: most recently used
  std::unordered_set<std::string> loading_ ABSL_GUARDED_BY(mutex_);
  Stats stats_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace pbx::media::internal
