// Player: plays a playlist of prompts and silences into the media graph, one AudioFrame per
// tick: announcements, IVR menus, music on hold (with loop).
//
// Items follow each other without a gap or a click: a frame that ends one prompt continues
// with the next. The playlist's storage is reserved at construction and its prompts are
// shared buffers from a PromptCache, so starting a playlist and ticking allocate nothing. The
// player lets go of its prompts when it finishes or stops; if the cache has evicted one
// meanwhile, that is where its memory is freed.
//
//   Player player;                                         // room for kDefaultMaxItems items
//   PlaylistItem items[] = {PlaylistItem::Play(welcome), PlaylistItem::Silence(500ms),
//                           PlaylistItem::Play(menu)};
//   player.start(items, Player::Loop::kNo);
//   while (player.tick(frame)) send(frame);                // false once finished: silence
//
// Thread-safety: one media thread. Prompts arrive as shared_ptrs loaded elsewhere.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "lib/media/audio/audio_frame.h"
#include "lib/media/audio/prompt_cache.h"

namespace pbx::media::internal {

struct PlaylistItem {
  PromptPtr prompt;           // null: silence
  size_t silenceSamples = 0;  // at kGraphRate, when prompt is null

  static PlaylistItem Play(PromptPtr prompt) { return {std::move(prompt), 0}; }
  static PlaylistItem Silence(std::chrono::milliseconds length) {
    return {nullptr, static_cast<size_t>(length.count()) * kGraphRate / 1000};
  }
  size_t samples() const { return prompt ? prompt->samples.size() : silenceSamples; }
};

class Player {
 public:
  static constexpr size_t kDefaultMaxItems = 32;
  enum class Loop { kNo, kYes };
  enum class State { kIdle, kPlaying, kFinished, kStopped };

  explicit Player(size_t maxItems = kDefaultMaxItems);
  Player(const Player&) = delete;
  Player& operator=(const Player&) = delete;

  // Replaces whatever was playing and starts at the first item. InvalidArgument for more than
  // maxItems items. An empty playlist (or one of zero length) finishes at once, looped or not.
  absl::Status start(std::span<const PlaylistItem> items, Loop loop = Loop::kNo);
  // Fills `frame` with the next 20 ms and returns whether the playlist supplied any of it: the
  // last frame is completed with silence, and frames after the end (or before any start, or
  // after stop) are silence and return false. The tick that plays the last sample finishes.
  bool tick(AudioFrame& frame);
  // Stops at once and lets go of the prompts.
  void stop();

  State state() const { return state_; }
  bool finished() const { return state_ == State::kFinished; }
  // Position within the current pass of the playlist, and which item plays.
  std::chrono::milliseconds position() const {
    return std::chrono::milliseconds(passSamples_ * 1000 / kGraphRate);
  }
  size_t itemIndex() const { return item_; }
  // Passes completed so far (music on hold's repetitions).
  uint64_t passes() const { return passes_; }

 private:
  void endPass();  // loops back to the first item, or finishes
  void release();

  std::vector<PlaylistItem> items_;  // capacity reserved once
  const size_t maxItems_;
  Loop loop_ = Loop::kNo;
  State state_ = State::kIdle;
  size_t item_ = 0;
  size_t offset_ = 0;  // samples into items_[item_]
  uint64_t passSamples_ = 0;
  uint64_t passes_ = 0;
};

}  // namespace pbx::media::internal
