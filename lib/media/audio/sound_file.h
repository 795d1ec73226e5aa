// Sound files: decoding any format libsndfile reads (WAV, AIFF, AU, FLAC, Ogg/Vorbis, ...)
// and writing 16-bit PCM WAV. This file pair is the one place pbxkit includes libsndfile; the
// rest of the media code sees only these types.
//
//   auto audio = ReadSoundFile("/var/lib/pbx/prompts/welcome.flac");  // mono, file's rate
//   auto wav = WavWriter::Create("/var/spool/pbx/call-42.wav", 16000, 2);
//   absl::Status s = (*wav)->write(interleaved, frames);  // ENOSPC, EFBIG... -> error Status
//   s = (*wav)->close();
//
// Both do blocking disk I/O: call them from a worker thread, never from a media thread.
// Writes go straight to the file descriptor through libsndfile's virtual I/O, so the errno of
// a failed write() (ENOSPC, EIO, ...) reaches the caller as a Status instead of libsndfile's
// generic "system error". WAV cannot describe more than 4 GiB, so a writer refuses to grow a
// file past maxBytes (default just under that) and reports it like a full disk.
//
// Thread-safety: ReadSoundFile is reentrant. A WavWriter belongs to one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

struct sf_private_tag;  // libsndfile's SNDFILE

namespace pbx::media::internal {

// A decoded file with its channels kept apart (interleaved).
struct SoundFileContents {
  std::vector<int16_t> interleaved;
  int rate = 0;
  int channels = 0;

  size_t frames() const { return channels > 0 ? interleaved.size() / channels : 0; }
};

// A decoded file downmixed to mono (the channels averaged, so the mix cannot clip).
struct DecodedAudio {
  std::vector<int16_t> samples;
  int rate = 0;
};

// Longest file either reader decodes: an hour. A prompt or a recording played back is far
// shorter; the bound keeps a wrong path (a multi-gigabyte file) from exhausting memory.
inline constexpr int64_t kMaxDecodedSeconds = 3600;

absl::StatusOr<SoundFileContents> ReadSoundFileChannels(const std::string& path);
absl::StatusOr<DecodedAudio> ReadSoundFile(const std::string& path);

class WavWriter {
 public:
  // RIFF sizes are 32-bit; keep room for the header libsndfile rewrites on close.
  static constexpr int64_t kMaxWavBytes = 0xFFFFFFFFll - 4096;

  struct Options {
    int64_t maxBytes = kMaxWavBytes;
  };

  // Creates or truncates `path`. Fails at once when the file cannot be opened or its header
  // cannot be written (a missing directory, no permission, a full disk).
  static absl::StatusOr<std::unique_ptr<WavWriter>> Create(const std::string& path, int rate,
                                                           int channels, Options options);
  static absl::StatusOr<std::unique_ptr<WavWriter>> Create(const std::string& path, int rate,
                                                           int channels) {
    return Create(path, rate, channels, Options());
  }
  // Closes the file if close() was not called (and drops its result).
  ~WavWriter();
  WavWriter(const WavWriter&) = delete;
  WavWriter& operator=(const WavWriter&) = delete;

  // Appends `frames` frames of `channels()` interleaved samples. After an error the writer
  // is failed: later writes return the same error.
  absl::Status write(const int16_t* interleaved, size_t frames);
  // Finishes the header (the data size) and closes the descriptor. Idempotent.
  absl::Status close();

  int rate() const { return rate_; }
  int channels() const { return channels_; }
  int64_t framesWritten() const { return framesWritten_; }

  // libsndfile's virtual I/O callbacks reach the descriptor through this; public only so the
  // C callbacks in sound_file.cc can name it.
  struct Sink;

 private:
  WavWriter(std::unique_ptr<Sink> sink, sf_private_tag* file, int rate, int channels);

  std::unique_ptr<Sink> sink_;
  sf_private_tag* file_;
  const int rate_;
  const int channels_;
  int64_t framesWritten_ = 0;
  absl::Status error_;
};

}  // namespace pbx::media::internal
