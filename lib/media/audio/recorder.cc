#include "lib/media/audio/recorder.h"

#include <algorithm>
#include <utility>

namespace pbx::media::internal {

// One tick of both directions; mono modes use only the side they keep.
struct RecordingSlot {
  AudioFrame received;
  AudioFrame sent;
};

// Shared by a Recorder (the producer, on the media thread) and its writer (the consumer). The
// ring is single-producer single-consumer: `head` counts frames pushed, `tail` frames taken;
// each side writes only its own counter, so no lock is needed.
struct Recording {
  RecordingMode mode;
  std::unique_ptr<WavWriter> wav;  // writer thread only, after Create()
  Recorder::CompletionCallback onComplete;
  std::vector<RecordingSlot> ring;
  std::atomic<uint64_t> head{0};
  std::atomic<uint64_t> tail{0};
  std::atomic<bool> stopRequested{false};
  std::atomic<bool> failed{false};
  std::atomic<bool> finished{false};  // the writer is done with it: writes are pointless
  std::atomic<uint64_t> framesWritten{0};
  std::atomic<uint64_t> framesDropped{0};
};

namespace {

constexpr size_t kBatchFrames = 25;  // frames per write() call: 0.5 s

int16_t Saturate(int32_t v) { return static_cast<int16_t>(std::clamp<int32_t>(v, -32768, 32767)); }

int ChannelsOf(RecordingMode mode) { return mode == RecordingMode::kStereo ? 2 : 1; }

// Lays one slot out as the file wants it.
void Render(const RecordingSlot& slot, RecordingMode mode, int16_t* out) {
  switch (mode) {
    case RecordingMode::kMixed:
      for (size_t i = 0; i < kFrameSamples; ++i) {
        out[i] = Saturate(int32_t{slot.received.samples[i]} + slot.sent.samples[i]);
      }
      break;
    case RecordingMode::kStereo:
      for (size_t i = 0; i < kFrameSamples; ++i) {
        out[2 * i] = slot.received.samples[i];
        out[2 * i + 1] = slot.sent.samples[i];
      }
      break;
    case RecordingMode::kReceiveOnly:
      std::copy_n(slot.received.data(), kFrameSamples, out);
      break;
    case RecordingMode::kTransmitOnly:
      std::copy_n(slot.sent.data(), kFrameSamples, out);
      break;
  }
}

// Writes out everything in the ring, in batches.
absl::Status Drain(Recording& r, std::vector<int16_t>& scratch) {
  const size_t channels = static_cast<size_t>(ChannelsOf(r.mode));
  const size_t capacity = r.ring.size();
  uint64_t tail = r.tail.load(std::memory_order_relaxed);
  const uint64_t head = r.head.load(std::memory_order_acquire);
  while (tail < head) {
    const size_t batch = static_cast<size_t>(std::min<uint64_t>(head - tail, kBatchFrames));
    for (size_t i = 0; i < batch; ++i) {
      Render(r.ring[(tail + i) % capacity], r.mode, scratch.data() + i * kFrameSamples * channels);
    }
    tail += batch;
    r.tail.store(tail, std::memory_order_release);  // the slots may be refilled now
    absl::Status status = r.wav->write(scratch.data(), batch * kFrameSamples);
    if (!status.ok()) return status;
    r.framesWritten.fetch_add(batch, std::memory_order_relaxed);
  }
  return absl::OkStatus();
}

// Returns whether the recording is over (closed, called back).
bool Service(Recording& r, bool writerStopping, std::vector<int16_t>& scratch) {
  // Read the stop flag before draining: every frame pushed before stop() is then drained.
  const bool ending = writerStopping || r.stopRequested.load(std::memory_order_acquire);
  absl::Status status = Drain(r, scratch);
  if (status.ok() && !ending) return false;
  if (status.ok()) {
    status = r.wav->close();
  } else {
    r.wav->close().IgnoreError();  // the write error is the one to report
  }
  if (!status.ok()) r.failed.store(true, std::memory_order_relaxed);
  r.finished.store(true, std::memory_order_release);
  if (r.onComplete) r.onComplete(status);
  r.onComplete = nullptr;
  return true;
}

}  // namespace

RecordingWriter::RecordingWriter(Options options) : options_(options), thread_([this] { run(); }) {}

RecordingWriter::~RecordingWriter() { stop(); }

void RecordingWriter::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wakeup_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

size_t RecordingWriter::recordings() const { return open_.load(std::memory_order_relaxed); }

absl::Status RecordingWriter::add(std::shared_ptr<Recording> recording) {
  std::lock_guard lock(mutex_);
  if (stopping_) return absl::FailedPreconditionError("the recording writer has stopped");
  added_.push_back(std::move(recording));
  open_.fetch_add(1, std::memory_order_relaxed);
  return absl::OkStatus();
}

void RecordingWriter::wake() {
  {
    std::lock_guard lock(mutex_);
    wakeRequested_ = true;
  }
  wakeup_.notify_one();
}

void RecordingWriter::run() {
  std::vector<std::shared_ptr<Recording>> active;
  std::vector<int16_t> scratch(kBatchFrames * kFrameSamples * 2);
  for (;;) {
    bool stopping;
    {
      std::unique_lock lock(mutex_);
      wakeupWait(lock);
      wakeRequested_ = false;
      stopping = stopping_;
      for (auto& recording : added_) active.push_back(std::move(recording));
      added_.clear();
    }
    for (auto it = active.begin(); it != active.end();) {
      if (Service(**it, stopping, scratch)) {
        it = active.erase(it);
        open_.fetch_sub(1, std::memory_order_relaxed);
      } else {
        ++it;
      }
    }
    if (stopping) return;
  }
}

void RecordingWriter::wakeupWait(std::unique_lock<std::mutex>& lock) {
  wakeup_.wait_for(lock, options_.pollInterval, [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    return stopping_ || wakeRequested_;
  });
}

absl::StatusOr<std::unique_ptr<Recorder>> Recorder::Create(RecordingWriter& writer,
                                                           const std::string& path, Options options,
                                                           CompletionCallback onComplete) {
  if (options.queueFrames == 0) {
    return absl::InvalidArgumentError("a recorder needs a queue of at least one frame");
  }
  absl::StatusOr<std::unique_ptr<WavWriter>> wav = WavWriter::Create(
      path, kGraphRate, ChannelsOf(options.mode), {.maxBytes = options.maxFileBytes});
  if (!wav.ok()) return wav.status();
  auto recording = std::make_shared<Recording>();
  recording->mode = options.mode;
  recording->wav = std::move(*wav);
  recording->onComplete = std::move(onComplete);
  recording->ring.resize(options.queueFrames);
  if (absl::Status added = writer.add(recording); !added.ok()) return added;
  return std::unique_ptr<Recorder>(new Recorder(writer, std::move(recording)));
}

Recorder::Recorder(RecordingWriter& writer, std::shared_ptr<Recording> recording)
    : writer_(writer), recording_(std::move(recording)) {}

Recorder::~Recorder() { stop(); }

void Recorder::write(const AudioFrame* received, const AudioFrame* sent) {
  Recording& r = *recording_;
  if (paused_ || stopped_ || r.finished.load(std::memory_order_acquire)) return;
  const uint64_t head = r.head.load(std::memory_order_relaxed);
  if (head - r.tail.load(std::memory_order_acquire) >= r.ring.size()) {
    r.framesDropped.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  RecordingSlot& slot = r.ring[head % r.ring.size()];
  if (r.mode != RecordingMode::kTransmitOnly) {
    if (received != nullptr)
      slot.received = *received;
    else
      slot.received.clear();
  }
  if (r.mode != RecordingMode::kReceiveOnly) {
    if (sent != nullptr)
      slot.sent = *sent;
    else
      slot.sent.clear();
  }
  r.head.store(head + 1, std::memory_order_release);
}

void Recorder::stop() {
  if (stopped_) return;
  stopped_ = true;
  recording_->stopRequested.store(true, std::memory_order_release);
  if (!recording_->finished.load(std::memory_order_acquire)) writer_.wake();
}

bool Recorder::failed() const { return recording_->failed.load(std::memory_order_relaxed); }

RecordingStats Recorder::stats() const {
  const Recording& r = *recording_;
  RecordingStats stats;
  stats.recorded = std::chrono::milliseconds(r.framesWritten.load(std::memory_order_relaxed) *
                                             kFrameDuration.count());
  stats.framesDropped = r.framesDropped.load(std::memory_order_relaxed);
  stats.failed = r.failed.load(std::memory_order_relaxed);
  stats.finished = r.finished.load(std::memory_order_acquire);
  return stats;
}

}  // namespace pbx::media::internal
