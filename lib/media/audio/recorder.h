// Recorder and RecordingWriter: call recording to 16-bit WAV at the graph rate, without disk
// I/O on the media thread.
//
// The media thread hands each tick's two directions to Recorder::write(), which copies them
// into a ring of frames reserved at Create() and returns; it never blocks or allocates. A
// RecordingWriter thread, shared by many recorders, drains the rings every pollInterval and
// writes the files. A ring that is full (the disk stalled longer than the ring holds) drops
// the new frame and counts it: a gap in the recording is better than a stalled call.
//
// Modes: kMixed sums both directions into one mono channel (saturating); kStereo puts the
// received side (the caller, the remote party) on the left and the sent side (the callee,
// what pbxkit plays or bridges to them) on the right; kReceiveOnly and kTransmitOnly keep one.
//
// Errors: Create() opens the file and writes its header, so a missing directory, no
// permission or a full disk fail there. A write error later (disk full, the file size limit)
// ends the recording: the recorder is failed, later writes are ignored, and the completion
// callback runs with the error. A stopped recording's callback runs with OK (or the close
// error) once the file is complete on disk. The callback runs on the writer thread, once.
//
//   RecordingWriter writer;                              // one thread for many recordings
//   auto recorder = Recorder::Create(writer, "/var/spool/pbx/42.wav",
//                                    {.mode = RecordingMode::kStereo},
//                                    [](absl::Status s) { /* post to the call's thread */ });
//   (*recorder)->write(&fromCaller, &toCaller);          // each tick, on the media thread
//   (*recorder)->stop();                                 // the callback follows
//
// Thread-safety: Create() does disk I/O (call it off the media thread; the Recorder may then
// be handed over). write(), pause(), resume() and stop() belong to one thread at a time;
// stats() and failed() may be read from any thread. RecordingWriter's methods may be called
// from any thread but its own callbacks; it must outlive its recorders.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/media/audio/audio_frame.h"
#include "lib/media/audio/sound_file.h"
#include "pbx/media/media_types.h"

namespace pbx::media::internal {

// The modes are the public RecordingMode (pbx/media/media_types.h).

struct Recording;  // the state a Recorder shares with its writer (recorder.cc)

class RecordingWriter {
 public:
  struct Options {
    // How long a frame may wait in a ring: the ring must hold more than this.
    std::chrono::milliseconds pollInterval{100};
  };

  explicit RecordingWriter(Options options);
  RecordingWriter() : RecordingWriter(Options()) {}
  // stop()s.
  ~RecordingWriter();
  RecordingWriter(const RecordingWriter&) = delete;
  RecordingWriter& operator=(const RecordingWriter&) = delete;

  // Writes out what every ring holds, closes every file, runs their callbacks, and ends the
  // thread. Recorders created later fail; writes to the finished ones are ignored.
  void stop();
  // Recordings still open.
  size_t recordings() const;

 private:
  friend class Recorder;

  absl::Status add(std::shared_ptr<Recording> recording);
  void wake();
  void run();
  void wakeupWait(std::unique_lock<std::mutex>& lock) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  const Options options_;
  mutable std::mutex mutex_;
  std::condition_variable wakeup_;
  std::vector<std::shared_ptr<Recording>> added_ ABSL_GUARDED_BY(mutex_);
  bool wakeRequested_ ABSL_GUARDED_BY(mutex_) = false;
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  std::atomic<size_t> open_{0};
  std::thread thread_;
};

struct RecordingStats {
  std::chrono::milliseconds recorded{0};  // audio written to the file
  uint64_t framesDropped = 0;             // ticks lost to a full ring
  bool failed = false;
  bool finished = false;  // the file is closed and the callback has run
};

class Recorder {
 public:
  using CompletionCallback = std::function<void(absl::Status)>;
  struct Options {
    RecordingMode mode = RecordingMode::kMixed;
    size_t queueFrames = 100;  // 2 s of ticks between the media thread and the disk
    int64_t maxFileBytes = WavWriter::kMaxWavBytes;
  };

  static absl::StatusOr<std::unique_ptr<Recorder>> Create(RecordingWriter& writer,
                                                          const std::string& path, Options options,
                                                          CompletionCallback onComplete);
  // stop()s; the writer still completes the file and runs the callback.
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // One tick: `received` goes left (the caller side), `sent` right (the callee side); null is
  // silence. Ignored while paused, after stop() and once failed.
  void write(const AudioFrame* received, const AudioFrame* sent);
  // Paused ticks are left out of the file (it gets shorter, not silent).
  void pause() { paused_ = true; }
  void resume() { paused_ = false; }
  bool paused() const { return paused_; }
  // Ends the recording: the writer drains the ring, closes the file, then calls back.
  void stop();

  bool failed() const;
  RecordingStats stats() const;

 private:
  Recorder(RecordingWriter& writer, std::shared_ptr<Recording> recording);

  RecordingWriter& writer_;
  std::shared_ptr<Recording> recording_;
  bool paused_ = false;
  bool stopped_ = false;
};

}  // namespace pbx::media::internal
