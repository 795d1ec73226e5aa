#include "lib/testing/sim_audio.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "lib/media/codec/audio_codec.h"
#include "lib/media/codec/codec_catalog.h"
#include "lib/media/dtmf/rfc4733.h"
#include "lib/media/rtp/rtp_header.h"
#include "lib/spandsp/dtmf_detector.h"
#include "lib/spandsp/dtmf_generator.h"
#include "pbx/sip/sdp.h"

namespace pbx::testing {
namespace {

namespace mi = media::internal;

constexpr size_t kHistorySamples = 16000 * 4;
constexpr int kToneAmplitude = 8000;
constexpr int kSilenceThreshold = 300;

}  // namespace

SimAudio::SimAudio(SimulatedMediaEngine& engine, const TimeSource& time, SocketAddress local,
                   std::function<const std::string&()> remoteSdp, std::vector<std::string> codecs,
                   bool telephoneEvent)
    : engine_(engine),
      time_(time),
      local_(std::move(local)),
      remoteSdp_(std::move(remoteSdp)),
      codecs_(std::move(codecs)),
      telephoneEvent_(telephoneEvent) {
  engine_.listen(local_, [this](std::span<const uint8_t> packet) { onPacket(packet); });
  ticker_ = engine_.addTicker([this] { tick(); });
  if (auto detector = mi::DtmfDetector::Create(); detector.ok()) detector_ = std::move(*detector);
}

SimAudio::~SimAudio() { stop(); }

void SimAudio::stop() {
  if (ticker_ == 0) return;
  engine_.removeTicker(ticker_);
  engine_.listen(local_, nullptr);
  ticker_ = 0;
}

void SimAudio::negotiate(const std::string& remoteSdp) {
  negotiated_ = remoteSdp;
  auto sdp = sip::SessionDescription::Parse(remoteSdp);
  if (!sdp.ok()) return;
  auto audio = sdp->findMedia("audio");
  if (!audio) return;
  auto address = sdp->rtpAddress(*audio);
  remote_ = address.ok() ? *address : SocketAddress();
  const auto& codecs = codecs_;
  media::StreamFormat format;
  remoteTypes_.clear();
  for (const auto& map : sdp->media[*audio].rtpMaps()) {
    remoteTypes_[map.payloadType] = map.encoding;
    if (absl::EqualsIgnoreCase(map.encoding, "telephone-event")) {
      if (telephoneEvent_) format.telephoneEvent = map.payloadType;
      continue;
    }
    const bool ours = std::any_of(codecs.begin(), codecs.end(), [&](const std::string& c) {
      return absl::EqualsIgnoreCase(c, map.encoding);
    });
    if (ours && format.codec.empty()) {
      format.codec = map.encoding;
      format.payloadType = map.payloadType;
      format.fmtp = map.fmtp;
    }
  }
  if (format == format_) return;
  format_ = format;
  encoder_.reset();
  eventSender_.reset();
  eventReceiver_.reset();
  if (!format_.known()) return;
  auto encoder = mi::CreateEncoder({.name = format_.codec});
  if (!encoder.ok()) return;
  encoder_ = std::move(*encoder);
  const int clockRate = static_cast<int>(encoder_->timestampStep()) * 50;
  if (format_.telephoneEvent >= 0) {
    if (auto sender = mi::Rfc4733Sender::Create(clockRate); sender.ok())
      eventSender_ = std::move(*sender);
    if (auto receiver = mi::Rfc4733Receiver::Create(clockRate); receiver.ok())
      eventReceiver_ = std::move(*receiver);
  }
}

void SimAudio::sendDigit(char digit, media::DtmfMethod method, std::chrono::milliseconds duration) {
  sync();
  if (method == media::DtmfMethod::kRfc4733 && eventSender_) {
    eventSender_->send(digit, duration).IgnoreError();
  } else if (method == media::DtmfMethod::kInband) {
    if (!generator_) {
      auto generator = mi::DtmfGenerator::Create();
      if (!generator.ok()) return;
      generator_ = std::move(*generator);
    }
    generator_->send(digit, duration).IgnoreError();
  }
}

void SimAudio::tick() {
  sync();
  const SocketAddress& to = remote_;
  if (!encoder_ || to.empty() || to.port() == 0) return;
  uint8_t packet[12 + mi::kMaxPayloadBytes];
  size_t size = 0;
  mi::RtpHeader header{marker_, static_cast<uint8_t>(format_.payloadType), sequence_, timestamp_,
                       0x51A0D10};
  if (eventSender_) {
    if (auto event = eventSender_->nextPacket(timestamp_)) {
      header.payloadType = static_cast<uint8_t>(format_.telephoneEvent);
      header.marker = event->marker;
      header.timestamp = event->timestamp;
      size = mi::WriteRtpHeader(header, packet);
      std::copy(event->payload.begin(), event->payload.end(), packet + size);
      size += event->payload.size();
    }
  }
  if (size == 0) {
    mi::AudioFrame frame;
    if (toneHz_ > 0) {
      const double step = 2 * std::numbers::pi * toneHz_ / mi::kGraphRate;
      for (auto& sample : frame.samples) {
        sample = static_cast<int16_t>(kToneAmplitude * std::sin(phase_));
        phase_ = std::fmod(phase_ + step, 2 * std::numbers::pi);
      }
    }
    if (generator_) generator_->fill(frame);
    const size_t payload = encoder_->encode(frame, packet + 12, mi::kMaxPayloadBytes);
    if (payload == 0) return;
    size = mi::WriteRtpHeader(header, packet) + payload;
    marker_ = false;
  }
  ++sequence_;
  timestamp_ += encoder_->timestampStep();
  engine_.deliverPacket(local_, to, {packet, size});
}

void SimAudio::onPacket(std::span<const uint8_t> data) {
  auto packet = mi::ParseRtp(data.data(), data.size());
  if (!packet) return;
  const MonotonicTime now = time_.monotonicTime();
  const int type = packet->header.payloadType;
  auto name = remoteTypes_.find(type);
  if (name == remoteTypes_.end()) return;
  if (absl::EqualsIgnoreCase(name->second, "telephone-event")) {
    if (!eventReceiver_) return;
    auto events =
        eventReceiver_->onPacket(packet->header, packet->payload, packet->payloadSize, now);
    for (const auto& digit : events.completed())
      digits_[media::DtmfMethod::kRfc4733] += digit.digit;
    return;
  }
  auto& decoder = decoders_[type];
  if (!decoder) {
    auto created = mi::CreateDecoder({.name = name->second});
    if (!created.ok()) return;
    decoder = std::move(*created);
  }
  // Time without audio since the last packet counts as a gap (one packet per 20 ms is usual).
  if (receivedSamples_ > 0) {
    const auto silent = std::chrono::duration_cast<std::chrono::milliseconds>(now - lastPacket_) -
                        std::chrono::milliseconds(20);
    if (silent.count() > 0) gap_ += static_cast<uint64_t>(silent.count()) * 16;
  }
  lastPacket_ = now;
  int16_t pcm[mi::kMaxDecodedSamples];
  const int decoded = decoder->decode(packet->payload, packet->payloadSize, pcm, std::size(pcm));
  if (decoded > 0) append(pcm, static_cast<size_t>(decoded));
}

void SimAudio::append(const int16_t* samples, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    history_.push_back(samples[i]);
    if (std::abs(samples[i]) < kSilenceThreshold) {
      ++gap_;
    } else {
      if (receivedSamples_ > 0) longestGap_ = std::max(longestGap_, gap_);
      gap_ = 0;
      ++receivedSamples_;
    }
  }
  while (history_.size() > kHistorySamples) history_.pop_front();
  if (!detector_) return;
  detectorInput_.insert(detectorInput_.end(), samples, samples + count);
  while (detectorInput_.size() >= mi::kFrameSamples) {
    mi::AudioFrame frame;
    std::copy_n(detectorInput_.begin(), mi::kFrameSamples, frame.samples.begin());
    detectorInput_.erase(detectorInput_.begin(),
                         detectorInput_.begin() + static_cast<ptrdiff_t>(mi::kFrameSamples));
    auto events = detector_->process(frame);
    for (const auto& digit : events.completed()) digits_[media::DtmfMethod::kInband] += digit.digit;
  }
}

double SimAudio::receivedFrequency(std::chrono::milliseconds window) const {
  const size_t count = std::min(history_.size(), static_cast<size_t>(window.count()) * 16);
  if (count < 160) return 0;
  // Zero crossings with linear interpolation: exact enough for the pure tones tests send.
  const size_t begin = history_.size() - count;
  double first = -1, last = -1;
  int crossings = 0;
  double energy = 0;
  for (size_t i = begin + 1; i < history_.size(); ++i) {
    const double a = history_[i - 1], b = history_[i];
    energy += b * b;
    if ((a < 0 && b >= 0)) {
      const double at = static_cast<double>(i - 1) + (-a) / (b - a);
      if (first < 0) {
        first = at;
      } else {
        ++crossings;
      }
      last = at;
    }
  }
  if (crossings < 2 || std::sqrt(energy / static_cast<double>(count)) < kSilenceThreshold) return 0;
  return crossings * 16000.0 / (last - first);
}

std::string SimAudio::receivedDigits(media::DtmfMethod method) const {
  auto it = digits_.find(method);
  return it == digits_.end() ? std::string() : it->second;
}

}  // namespace pbx::testing
