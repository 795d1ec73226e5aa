#include "lib/call/leg.h"

#include "lib/base/log.h"
#include "lib/call/sdp_negotiation.h"

namespace pbx::call {

Leg::Leg(LegObserver& observer, LegDirection direction, Party party, media::RelaySide side,
         SystemTime created)
    : id(LegId::Next()),
      direction(direction),
      party(std::move(party)),
      side(side),
      created(created),
      observer_(&observer) {}

Leg::~Leg() {
  // Never leave a dialog pointing at a dead handler.
  if (dialog_) dialog_->setHandler(nullptr);
}

void Leg::attach(sip::Dialog& dialog) {
  dialog_ = &dialog;
  sipCallId = dialog.callId();
  dialog.setHandler(this);
}

sip::Dialog* Leg::release() { return std::exchange(dialog_, nullptr); }

void Leg::sendProvisional(int status, const std::string& reason, const std::string& body) {
  if (dialog_) dialog_->sendProvisional(status, reason, body);
}

void Leg::accept(const std::string& body) {
  if (dialog_ == nullptr) return;
  dialog_->accept(body);
  state = LegState::kAnswered;
}

void Leg::reject(const sip::Rejection& rejection) {
  state = LegState::kEnded;
  if (sip::Dialog* dialog = release()) dialog->reject(rejection);
}

void Leg::hangup() {
  state = LegState::kEnded;
  if (sip::Dialog* dialog = release()) dialog->hangup();
}

void Leg::reinvite(const std::string& body, sip::ReinviteDone done) {
  if (dialog_) dialog_->reinvite(body, std::move(done));
}

void Leg::notifyReferProgress(int status, const std::string& reason) {
  if (dialog_) dialog_->notifyReferProgress(status, reason);
}

void Leg::sendInfo(const std::string& contentType, const std::string& body) {
  if (dialog_) dialog_->sendInfo(contentType, body);
}

void Leg::setSessionTimer(std::chrono::seconds interval, bool refresh) {
  sessionInterval = interval;
  weRefresh = refresh;
  if (dialog_) dialog_->setSessionTimer(static_cast<uint32_t>(interval.count()), refresh);
}

sip::SessionDescription Leg::offerOfItsParty() const {
  return remote ? WithDirection(*remote, sip::MediaDirection::kSendRecv) : OwnOffer();
}

namespace {
// The crypto attributes of `sdp`'s audio: the keys OfferCrypto()/AnswerCrypto() put there.
std::vector<sip::SdpAttribute> CryptoOf(const sip::SessionDescription& sdp) {
  std::vector<sip::SdpAttribute> crypto;
  if (auto audio = sdp.findMedia("audio"))
    for (const auto& attribute : sdp.media[*audio].attributes)
      if (attribute.name == "crypto") crypto.push_back(attribute);
  return crypto;
}
}  // namespace

std::string Leg::offer(sip::SessionDescription sdp, const SocketAddress& local) {
  auto offered = OfferCrypto(sdp, srtp);
  if (!offered.ok()) {
    PBX_LOG(kWarning, "call", id.str(), "no SRTP keys for the offer: {}",
            offered.status().message());
    offeredCrypto.reset();
  } else {
    offeredCrypto = std::move(*offered);
  }
  return this->sdp.anchor(sdp, local, CryptoOf(sdp));
}

absl::StatusOr<std::string> Leg::answer(const sip::SessionDescription& offer,
                                        sip::SessionDescription answer,
                                        const SocketAddress& local) {
  auto keys = AnswerCrypto(offer, srtp, answer);
  if (!keys.ok()) return keys.status();
  srtpKeys = std::move(*keys);
  offeredCrypto.reset();
  return sdp.anchor(answer, local, CryptoOf(answer));
}

void Leg::takeAnswer(const sip::SessionDescription& answer) {
  if (!offeredCrypto) {
    srtpKeys.reset();
    return;
  }
  auto keys = AcceptCrypto(*offeredCrypto, answer);
  if (!keys.ok()) {
    PBX_LOG(kInfo, "call", id.str(), "SRTP answer refused: {}", keys.status().message());
    srtpKeys.reset();
    return;
  }
  srtpKeys = std::move(*keys);
}

sip::DialogId Leg::dialogId() const { return dialog_ ? dialog_->id() : sip::DialogId{}; }

LegInfo Leg::info() const {
  LegInfo out;
  out.id = id;
  out.direction = direction;
  out.state = state;
  out.party = party;
  out.sipCallId = sipCallId;
  out.codec = remote ? FirstCodec(*remote) : std::string();
  out.held = held || heldByUs;
  out.created = created;
  out.answered = answered;
  return out;
}

void Leg::onProvisional(int status, const std::string&, const std::string& body) {
  observer_->legProvisional(*this, status, body);
}

void Leg::onAnswered(const std::string& body) { observer_->legAnswered(*this, body); }

void Leg::onFailed(int status, const std::string&) {
  dialog_ = nullptr;
  state = LegState::kEnded;
  observer_->legFailed(*this, status);
}

void Leg::onCancelled() {
  dialog_ = nullptr;
  state = LegState::kEnded;
  observer_->legCancelled(*this);
}

void Leg::onTerminated(sip::TerminationReason reason) {
  dialog_ = nullptr;
  state = LegState::kEnded;
  observer_->legEnded(*this, reason);
}

void Leg::onOffer(const std::string& body, sip::OfferResponder respond) {
  observer_->legOffer(*this, body, std::move(respond));
}

void Leg::onAck(const std::string& body) { observer_->legAck(*this, body); }

}  // namespace pbx::call

namespace pbx::call {

void Leg::onRefer(const sip::ReferRequest& refer, sip::ReferResponder respond) {
  observer_->legRefer(*this, refer, std::move(respond));
}

void Leg::onInfo(const std::string& contentType, const std::string& body,
                 sip::StatusResponder respond) {
  observer_->legInfo(*this, contentType, body, std::move(respond));
}

}  // namespace pbx::call
