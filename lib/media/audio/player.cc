#include "lib/media/audio/player.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace pbx::media::internal {

Player::Player(size_t maxItems) : maxItems_(maxItems) { items_.reserve(maxItems); }

absl::Status Player::start(std::span<const PlaylistItem> items, Loop loop) {
  if (items.size() > maxItems_) {
    return absl::InvalidArgumentError(
        absl::StrCat("playlist of ", items.size(), " items; the player holds ", maxItems_));
  }
  items_.assign(items.begin(), items.end());  // within the reserved capacity: no allocation
  loop_ = loop;
  item_ = 0;
  offset_ = 0;
  passSamples_ = 0;
  passes_ = 0;
  size_t total = 0;
  for (const PlaylistItem& item : items_) total += item.samples();
  state_ = State::kPlaying;
  // A looped playlist with nothing in it would spin forever inside one tick.
  if (total == 0) {
    state_ = State::kFinished;
    release();
  }
  return absl::OkStatus();
}

bool Player::tick(AudioFrame& frame) {
  size_t filled = 0;
  while (filled < kFrameSamples && state_ == State::kPlaying) {
    if (item_ == items_.size()) {
      endPass();
      continue;
    }
    const PlaylistItem& item = items_[item_];
    const size_t n = std::min(kFrameSamples - filled, item.samples() - offset_);
    if (item.prompt) {
      std::copy_n(item.prompt->samples.data() + offset_, n, frame.data() + filled);
    } else {
      std::fill_n(frame.data() + filled, n, int16_t{0});
    }
    filled += n;
    offset_ += n;
    passSamples_ += n;
    if (offset_ == item.samples()) {
      ++item_;
      offset_ = 0;
    }
  }
  std::fill(frame.data() + filled, frame.data() + kFrameSamples, int16_t{0});
  // The pass ends on the tick that played its last sample, not one tick later.
  if (state_ == State::kPlaying && item_ == items_.size()) endPass();
  return filled > 0;
}

void Player::stop() {
  if (state_ == State::kPlaying) state_ = State::kStopped;
  release();
}

void Player::endPass() {
  ++passes_;
  if (loop_ == Loop::kYes) {
    item_ = 0;
    offset_ = 0;
    passSamples_ = 0;
    return;
  }
  state_ = State::kFinished;
  release();
}

void Player::release() { items_.clear(); }  // keeps the capacity

}  // namespace pbx::media::internal
