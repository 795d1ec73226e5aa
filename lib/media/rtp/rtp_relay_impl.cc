#include "lib/media/rtp/rtp_relay_impl.h"

#include <utility>

#include "lib/base/log.h"
#include "lib/media/rtp/inet_address.h"

namespace pbx::media::internal {

RtpRelayImpl::RtpRelayImpl(std::shared_ptr<RelayCore> core, MediaThread& thread,
                           std::atomic<int64_t>& activeRelays, MediaServices& services)
    : core_(std::move(core)),
      thread_(thread),
      activeRelays_(activeRelays),
      local_{core_->localAddress(RelaySide::kA), core_->localAddress(RelaySide::kB)},
      services_(services) {}

RtpRelayImpl::~RtpRelayImpl() {
  core_->eventsAlive()->store(false);
  thread_.closeRelay(core_);
  activeRelays_.fetch_sub(1, std::memory_order_relaxed);
}

SocketAddress RtpRelayImpl::localAddress(RelaySide side) const {
  return local_[static_cast<size_t>(side)];
}

void RtpRelayImpl::setRemote(RelaySide side, const SocketAddress& remote) {
  InetAddress destination;
  if (!remote.empty() && remote.port() != 0) {
    auto converted = InetAddress::From(remote);
    if (!converted.ok() || converted->isV6() != local_[0].isV6()) {
      // SDP from the network: an address our sockets cannot reach is "unknown", not a crash.
      PBX_LOG(kWarning, "media", core_->name(), "unusable remote address {} for a relay on {}",
              remote.str(), local_[0].str());
    } else {
      destination = *converted;
    }
  }
  thread_.post([core = core_, side, destination] { core->setRemote(side, destination); },
               MediaThread::Wake::kSoon);
}

void RtpRelayImpl::setForwarding(RelaySide from, bool enabled) {
  thread_.post([core = core_, from, enabled] { core->setForwarding(from, enabled); },
               MediaThread::Wake::kSoon);
}

RtpSideStats RtpRelayImpl::stats(RelaySide side) const { return core_->stats(side); }

void RtpRelayImpl::change(std::function<void(TerminatedRelay&)> change) {
  thread_.post([core = core_, thread = &thread_, change = std::move(change)] {
    change(core->media());
    thread->updateTicking(*core);
  });
}

void RtpRelayImpl::setFormat(RelaySide side, const StreamFormat& format) {
  change([side, format](TerminatedRelay& media) { media.setFormat(side, format); });
}

uint64_t RtpRelayImpl::play(RelaySide side, const PlayRequest& request) {
  const uint64_t id = ++nextId_;
  // Decoding (or finding) the files is the worker's; the media thread gets them ready to play.
  services_.worker->post(
      [&services = services_, core = core_, thread = &thread_, side, id, request] {
        std::vector<std::shared_ptr<const Prompt>> prompts;
        absl::Status status;
        for (const std::string& file : request.files) {
          auto prompt = services.prompts.load(file);
          if (!prompt.ok()) {
            status = prompt.status();
            break;
          }
          prompts.push_back(std::move(*prompt));
        }
        thread->post(
            [core, thread, side, id, status, prompts = std::move(prompts), loop = request.loop] {
              if (status.ok()) {
                core->media().play(side, id, prompts, loop);
              } else {
                core->media().report({MediaEvent::Type::kPlayFinished, side, id, {}, status});
              }
              thread->updateTicking(*core);
            });
      });
  return id;
}

void RtpRelayImpl::stopPlaying(RelaySide side) {
  change([side](TerminatedRelay& media) { media.stopPlaying(side); });
}

void RtpRelayImpl::sendDtmf(RelaySide side, const DtmfDigit& digit) {
  change([side, digit](TerminatedRelay& media) { media.sendDtmf(side, digit); });
}

void RtpRelayImpl::detectInbandDtmf(RelaySide side, bool inband) {
  change([side, inband](TerminatedRelay& media) { media.detectInband(side, inband); });
}

uint64_t RtpRelayImpl::startRecording(const RecordRequest& request) {
  const uint64_t id = ++nextId_;
  // Creating the file is the worker's; a failure ends the recording with an event.
  services_.worker->post([&services = services_, core = core_, thread = &thread_, id, request] {
    // The recorder (which the relay's media owns) keeps this callback: a weak reference, or
    // the relay would own itself and never close.
    auto finished = [weak = std::weak_ptr<RelayCore>(core), thread, id](absl::Status status) {
      thread->post([weak, id, status] {
        if (auto core = weak.lock())
          core->media().report(
              {MediaEvent::Type::kRecordingFinished, RelaySide::kA, id, {}, status});
      });
    };
    Recorder::Options options;
    options.mode = request.mode;
    auto recorder = Recorder::Create(services.recordings, request.path, options, finished);
    if (!recorder.ok()) return finished(recorder.status());
    auto shared = std::make_shared<std::unique_ptr<Recorder>>(std::move(*recorder));
    thread->post([core, thread, id, request, shared] {
      core->media().startRecording(id, request.mode, request.side, std::move(*shared));
      thread->updateTicking(*core);
    });
  });
  return id;
}

void RtpRelayImpl::pauseRecording(uint64_t id, bool paused) {
  change([id, paused](TerminatedRelay& media) { media.pauseRecording(id, paused); });
}

void RtpRelayImpl::stopRecording(uint64_t id) {
  change([id](TerminatedRelay& media) { media.stopRecording(id); });
}

}  // namespace pbx::media::internal
