#include "lib/media/audio/sound_file.h"

#include <fcntl.h>
#include <sndfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "absl/strings/str_cat.h"

namespace pbx::media::internal {
namespace {

constexpr int kMaxRate = 768000;
constexpr int kMaxReadChannels = 64;
constexpr int kMaxWriteChannels = 8;
constexpr sf_count_t kReadChunkFrames = 4096;

struct SndfileCloser {
  void operator()(SNDFILE* file) const { sf_close(file); }
};
using SndfilePtr = std::unique_ptr<SNDFILE, SndfileCloser>;

}  // namespace

absl::StatusOr<SoundFileContents> ReadSoundFileChannels(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("sound file ", path));
  }
  SF_INFO info{};
  SndfilePtr file(sf_open(path.c_str(), SFM_READ, &info));
  if (file == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("sound file ", path, ": ", sf_strerror(nullptr)));
  }
  if (info.channels < 1 || info.channels > kMaxReadChannels || info.samplerate < 1 ||
      info.samplerate > kMaxRate) {
    return absl::InvalidArgumentError(absl::StrCat("sound file ", path, ": ", info.channels,
                                                   " channels at ", info.samplerate, " Hz"));
  }
  const int64_t maxFrames = kMaxDecodedSeconds * info.samplerate;
  // Float and double files hold samples in [-1, 1]; without scaling libsndfile would clip.
  sf_command(file.get(), SFC_SET_SCALE_FLOAT_INT_READ, nullptr, SF_TRUE);

  SoundFileContents contents;
  contents.rate = info.samplerate;
  contents.channels = info.channels;
  if (info.frames > 0 && info.frames <= maxFrames) {
    contents.interleaved.reserve(static_cast<size_t>(info.frames) * info.channels);
  }
  std::vector<int16_t> chunk(static_cast<size_t>(kReadChunkFrames) * info.channels);
  int64_t total = 0;
  for (;;) {
    sf_count_t got = sf_readf_short(file.get(), chunk.data(), kReadChunkFrames);
    if (got <= 0) break;
    total += got;
    if (total > maxFrames) {
      return absl::InvalidArgumentError(
          absl::StrCat("sound file ", path, ": longer than ", kMaxDecodedSeconds, " s"));
    }
    contents.interleaved.insert(contents.interleaved.end(), chunk.begin(),
                                chunk.begin() + got * info.channels);
  }
  if (sf_error(file.get()) != SF_ERR_NO_ERROR && total == 0) {
    return absl::DataLossError(absl::StrCat("sound file ", path, ": ", sf_strerror(file.get())));
  }
  return contents;
}

absl::StatusOr<DecodedAudio> ReadSoundFile(const std::string& path) {
  absl::StatusOr<SoundFileContents> contents = ReadSoundFileChannels(path);
  if (!contents.ok()) return contents.status();
  DecodedAudio audio;
  audio.rate = contents->rate;
  if (contents->channels == 1) {
    audio.samples = std::move(contents->interleaved);
    return audio;
  }
  const size_t channels = static_cast<size_t>(contents->channels);
  const size_t frames = contents->frames();
  audio.samples.resize(frames);
  for (size_t i = 0; i < frames; ++i) {
    int32_t sum = 0;
    for (size_t c = 0; c < channels; ++c) sum += contents->interleaved[i * channels + c];
    audio.samples[i] = static_cast<int16_t>(sum / static_cast<int32_t>(channels));
  }
  return audio;
}

// The descriptor behind a writer, seen by libsndfile through the callbacks below. `errnum`
// keeps the errno of the first failed call so write() can say why.
struct WavWriter::Sink {
  int fd = -1;
  int64_t position = 0;
  int64_t maxBytes = 0;
  int errnum = 0;
  bool limitReached = false;
};

namespace {

sf_count_t SinkLength(void* user) {
  auto* sink = static_cast<WavWriter::Sink*>(user);
  struct stat st;
  if (fstat(sink->fd, &st) != 0) {
    sink->errnum = errno;
    return -1;
  }
  return st.st_size;
}

sf_count_t SinkSeek(sf_count_t offset, int whence, void* user) {
  auto* sink = static_cast<WavWriter::Sink*>(user);
  off_t to = lseek(sink->fd, offset, whence);
  if (to < 0) {
    sink->errnum = errno;
    return -1;
  }
  sink->position = to;
  return to;
}

sf_count_t SinkRead(void* ptr, sf_count_t count, void* user) {
  auto* sink = static_cast<WavWriter::Sink*>(user);
  ssize_t got;
  do {
    got = ::read(sink->fd, ptr, static_cast<size_t>(count));
  } while (got < 0 && errno == EINTR);
  if (got < 0) {
    sink->errnum = errno;
    return 0;
  }
  sink->position += got;
  return got;
}

sf_count_t SinkWrite(const void* ptr, sf_count_t count, void* user) {
  auto* sink = static_cast<WavWriter::Sink*>(user);
  sf_count_t allowed = std::max<sf_count_t>(0, std::min(count, sink->maxBytes - sink->position));
  const char* bytes = static_cast<const char*>(ptr);
  sf_count_t done = 0;
  while (done < allowed) {
    ssize_t n = ::write(sink->fd, bytes + done, static_cast<size_t>(allowed - done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (sink->errnum == 0) sink->errnum = n < 0 ? errno : EIO;
      break;
    }
    done += n;
  }
  sink->position += done;
  if (done < count && allowed < count && sink->errnum == 0) sink->limitReached = true;
  return done;
}

sf_count_t SinkTell(void* user) { return static_cast<WavWriter::Sink*>(user)->position; }

SF_VIRTUAL_IO kSinkIo = {SinkLength, SinkSeek, SinkRead, SinkWrite, SinkTell};

absl::Status SinkError(const WavWriter::Sink& sink, const std::string& what) {
  if (sink.limitReached) {
    return absl::ResourceExhaustedError(
        absl::StrCat(what, ": the file reached its size limit (", sink.maxBytes, " bytes)"));
  }
  if (sink.errnum != 0) return absl::ErrnoToStatus(sink.errnum, what);
  return absl::InternalError(what);
}

}  // namespace

absl::StatusOr<std::unique_ptr<WavWriter>> WavWriter::Create(const std::string& path, int rate,
                                                             int channels, Options options) {
  if (rate < 1 || rate > kMaxRate || channels < 1 || channels > kMaxWriteChannels) {
    return absl::InvalidArgumentError(
        absl::StrCat("WAV ", path, ": cannot write ", channels, " channels at ", rate, " Hz"));
  }
  auto sink = std::make_unique<Sink>();
  sink->maxBytes = std::min(options.maxBytes, kMaxWavBytes);
  sink->fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (sink->fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("WAV ", path));

  SF_INFO info{};
  info.samplerate = rate;
  info.channels = channels;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SNDFILE* file = sf_open_virtual(&kSinkIo, SFM_WRITE, &info, sink.get());
  // Through virtual I/O libsndfile does not notice a header write that fell short: the sink
  // did.
  if (file != nullptr && (sink->errnum != 0 || sink->limitReached)) {
    sf_close(file);
    file = nullptr;
  }
  if (file == nullptr) {
    absl::Status error =
        sink->errnum != 0 || sink->limitReached
            ? SinkError(*sink, absl::StrCat("WAV ", path))
            : absl::InternalError(absl::StrCat("WAV ", path, ": ", sf_strerror(nullptr)));
    // Leave no empty file behind; a device such as /dev/full stays.
    struct stat st;
    if (fstat(sink->fd, &st) == 0 && S_ISREG(st.st_mode)) ::unlink(path.c_str());
    ::close(sink->fd);
    return error;
  }
  return std::unique_ptr<WavWriter>(new WavWriter(std::move(sink), file, rate, channels));
}

WavWriter::WavWriter(std::unique_ptr<Sink> sink, sf_private_tag* file, int rate, int channels)
    : sink_(std::move(sink)), file_(file), rate_(rate), channels_(channels) {}

WavWriter::~WavWriter() { close().IgnoreError(); }

absl::Status WavWriter::write(const int16_t* interleaved, size_t frames) {
  if (!error_.ok()) return error_;
  if (file_ == nullptr) return absl::FailedPreconditionError("WAV writer is closed");
  sf_count_t wrote = sf_writef_short(file_, interleaved, static_cast<sf_count_t>(frames));
  if (wrote > 0) framesWritten_ += wrote;
  if (wrote != static_cast<sf_count_t>(frames)) {
    error_ = SinkError(*sink_, absl::StrCat("WAV write: ", sf_strerror(file_)));
    return error_;
  }
  return absl::OkStatus();
}

absl::Status WavWriter::close() {
  if (file_ == nullptr) return error_;
  // sf_close rewrites the header's sizes; after a failed data write it may fail too, but the
  // first error is the one worth reporting.
  int closeError = sf_close(file_);
  file_ = nullptr;
  // As at open, a header rewrite that fell short shows only in the sink.
  if (error_.ok() && (closeError != SF_ERR_NO_ERROR || sink_->errnum != 0 || sink_->limitReached)) {
    error_ = SinkError(*sink_, absl::StrCat("WAV close: ", sf_error_number(closeError)));
  }
  if (::close(sink_->fd) != 0 && error_.ok()) error_ = absl::ErrnoToStatus(errno, "WAV close");
  sink_->fd = -1;
  return error_;
}

}  // namespace pbx::media::internal
