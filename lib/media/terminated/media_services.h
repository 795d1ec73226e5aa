// MediaServices: what the terminated media of every relay shares — the prompt cache, the
// thread that writes recordings, and the worker that does the blocking part of starting a
// play or a recording (decoding a file, creating one) so that neither the signaling thread
// nor a media thread ever waits for the disk.
//
// Thread-safety: the members are thread-safe; the worker runs posted work in order.
#pragma once

#include <memory>

#include "lib/base/thread_loop.h"
#include "lib/media/audio/prompt_cache.h"
#include "lib/media/audio/recorder.h"

namespace pbx::media::internal {

struct MediaServices {
  explicit MediaServices(const TimeSource& time)
      : worker(ThreadLoop::Start("pbx-media-io", time)) {}
  ~MediaServices() {
    worker.reset();  // finishes the starts already asked for
    recordings.stop();
  }

  PromptCache prompts;
  RecordingWriter recordings;
  std::unique_ptr<ThreadLoop> worker;
};

}  // namespace pbx::media::internal
