#include "lib/media/audio/prompt_cache.h"

#include <algorithm>
#include <utility>

#include "lib/media/audio/resampler.h"
#include "lib/media/audio/sound_file.h"

namespace pbx::media::internal {
namespace {

constexpr size_t kResampleChunk = 4096;

// Resamples a whole file to the graph rate, keeping its duration: the resampler holds back
// its filter's latency, so zeros are fed after the end to push the last samples out.
absl::StatusOr<std::vector<int16_t>> ToGraphRate(const std::vector<int16_t>& in, int rate) {
  absl::StatusOr<std::unique_ptr<Resampler>> resampler =
      Resampler::Create(rate, kGraphRate, Resampler::kHighQuality);
  if (!resampler.ok()) return resampler.status();
  const size_t expected =
      static_cast<size_t>((static_cast<int64_t>(in.size()) * kGraphRate + rate / 2) / rate);
  const size_t chunkCapacity = kResampleChunk * kGraphRate / static_cast<size_t>(rate) + 2;
  std::vector<int16_t> out(expected + chunkCapacity);
  size_t produced = 0;
  auto feed = [&](const int16_t* data, size_t count) {
    if (out.size() < produced + chunkCapacity) out.resize(produced + chunkCapacity);
    produced += (*resampler)->process(data, count, out.data() + produced, chunkCapacity);
  };
  for (size_t done = 0; done < in.size(); done += kResampleChunk) {
    feed(in.data() + done, std::min(kResampleChunk, in.size() - done));
  }
  const std::vector<int16_t> zeros(kResampleChunk, 0);
  for (int i = 0; i < 8 && produced < expected; ++i) feed(zeros.data(), zeros.size());
  out.resize(std::min(produced, expected));
  out.resize(expected, 0);
  return out;
}

}  // namespace

absl::StatusOr<PromptPtr> DecodePrompt(const std::string& path) {
  absl::StatusOr<DecodedAudio> audio = ReadSoundFile(path);
  if (!audio.ok()) return audio.status();
  auto prompt = std::make_shared<Prompt>();
  prompt->name = path;
  if (audio->rate == kGraphRate) {
    prompt->samples = std::move(audio->samples);
  } else {
    absl::StatusOr<std::vector<int16_t>> samples = ToGraphRate(audio->samples, audio->rate);
    if (!samples.ok()) return samples.status();
    prompt->samples = std::move(*samples);
  }
  prompt->samples.shrink_to_fit();
  return PromptPtr(std::move(prompt));
}

PromptCache::PromptCache(Options options) : options_(options) {}

absl::StatusOr<PromptPtr> PromptCache::load(const std::string& path) {
  {
    std::unique_lock lock(mutex_);
    for (;;) {
      auto it = entries_.find(path);
      if (it != entries_.end()) {
        recency_.splice(recency_.begin(), recency_, it->second.recency);
        ++stats_.hits;
        return it->second.prompt;
      }
      if (!loading_.contains(path)) break;
      // Another thread is decoding this file: wait for its result rather than decode twice.
      loaded_.wait(lock);
    }
    loading_.insert(path);
    ++stats_.misses;
  }
  absl::StatusOr<PromptPtr> prompt = DecodePrompt(path);
  std::lock_guard lock(mutex_);
  loading_.erase(path);
  if (prompt.ok()) insertLocked(path, *prompt);
  loaded_.notify_all();
  return prompt;
}

PromptPtr PromptCache::find(const std::string& path) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(path);
  if (it == entries_.end()) return nullptr;
  recency_.splice(recency_.begin(), recency_, it->second.recency);
  ++stats_.hits;
  return it->second.prompt;
}

void PromptCache::erase(const std::string& path) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(path);
  if (it != entries_.end()) eraseLocked(it);
}

void PromptCache::clear() {
  std::lock_guard lock(mutex_);
  entries_.clear();
  recency_.clear();
  stats_.bytes = 0;
  stats_.prompts = 0;
}

PromptCache::Stats PromptCache::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void PromptCache::insertLocked(const std::string& path, const PromptPtr& prompt) {
  if (prompt->bytes() > options_.maxBytes) return;
  auto old = entries_.find(path);
  if (old != entries_.end()) eraseLocked(old);
  while (stats_.bytes + prompt->bytes() > options_.maxBytes && !recency_.empty()) {
    eraseLocked(entries_.find(recency_.back()));
    ++stats_.evictions;
  }
  recency_.push_front(path);
  entries_.emplace(path, Entry{prompt, recency_.begin()});
  stats_.bytes += prompt->bytes();
  stats_.prompts = entries_.size();
}

void PromptCache::eraseLocked(std::unordered_map<std::string, Entry>::iterator it) {
  stats_.bytes -= it->second.prompt->bytes();
  recency_.erase(it->second.recency);
  entries_.erase(it);
  stats_.prompts = entries_.size();
}

}  // namespace pbx::media::internal
