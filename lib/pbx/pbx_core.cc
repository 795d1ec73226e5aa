#include "lib/pbx/pbx_core.h"

#include "lib/base/log.h"
#include "pbx/base/status.h"

namespace pbx {

absl::StatusOr<std::unique_ptr<PbxCore>> PbxCore::Create(
    Dispatcher& signaling, sip::SignalingStack& stack, media::MediaEngine& media,
    MetricsRegistry& metrics, call::CallService& service, const Options& options) {
  PBX_ASSIGN_OR_RETURN(call::DirectoryIndex index, call::DirectoryIndex::Build(options.directory));
  return std::unique_ptr<PbxCore>(
      new PbxCore(signaling, stack, media, metrics, service, options, std::move(index)));
}

PbxCore::PbxCore(Dispatcher& signaling, sip::SignalingStack& stack, media::MediaEngine& media,
                 MetricsRegistry& metrics, call::CallService& service, const Options& options,
                 call::DirectoryIndex directory)
    : service_(service),
      metrics_(metrics),
      directory_(std::move(directory)),
      auth_(signaling.timeSource(), options.sip.domain),
      registrar_(signaling, auth_, metrics_, options.sip.registration) {
  calls_ = std::make_unique<call::CallManager>(signaling, stack, media, metrics_, service.log(),
                                               directory_, registrar_, service.poster(),
                                               call::CallLayerOptions::From(options));
  gate_ =
      std::make_unique<call::InboundGate>(stack, metrics_, directory_, auth_, registrar_, *calls_,
                                          signaling.timeSource(), options.sip.overload);
  service_.attach(*calls_, signaling);
}

PbxCore::~PbxCore() {
  service_.detach();
  gate_.reset();
  calls_.reset();
}

absl::Status PbxCore::updateDirectory(const Directory& directory) {
  PBX_ASSIGN_OR_RETURN(call::DirectoryIndex index, call::DirectoryIndex::Build(directory));
  directory_ = std::move(index);
  registrar_.prune(directory_);
  PBX_LOG(kInfo, "call", "", "directory reloaded: {} extensions", directory.extensions.size());
  return absl::OkStatus();
}

void PbxCore::hangupAll(call::Cause cause, const std::string& detail) {
  calls_->hangupAll(cause, detail);
}

}  // namespace pbx
