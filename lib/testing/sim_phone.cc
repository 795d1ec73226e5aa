#include <algorithm>

#include "absl/strings/match.h"
#include "lib/testing/sim_audio.h"
#include "pbx/sip/sdp.h"
#include "pbx/testing/simulated_pbx.h"
#include "pbx/testing/simulated_signaling_stack.h"

namespace pbx::testing {

SimCall::SimCall(SimPhone& phone, bool incoming, std::string number, SocketAddress localMedia)
    : phone_(phone),
      incoming_(incoming),
      number_(std::move(number)),
      localMedia_(std::move(localMedia)),
      state_(incoming ? State::kRinging : State::kCalling) {}

namespace {

struct SimCodec {
  const char* name;
  int payloadType;
  const char* rtpmap;
};
constexpr SimCodec kSimCodecs[] = {{"PCMU", 0, "PCMU/8000"},
                                   {"PCMA", 8, "PCMA/8000"},
                                   {"G722", 9, "G722/8000"},
                                   {"opus", 111, "opus/48000/2"}};

const SimCodec* FindSimCodec(const std::string& name) {
  for (const auto& codec : kSimCodecs)
    if (absl::EqualsIgnoreCase(codec.name, name)) return &codec;
  return nullptr;
}

}  // namespace

std::string SimCall::localSdp(const std::string& direction, bool answering) const {
  const std::string& ip = localMedia_.ip();
  const SimPhoneOptions& options = phone_.options_;
  std::string formats, attributes;
  auto add = [&](int type, const std::string& map) {
    formats += " " + std::to_string(type);
    attributes += "a=rtpmap:" + std::to_string(type) + " " + map + "\r\n";
  };
  auto offer = answering ? sip::SessionDescription::Parse(remoteSdp_)
                         : absl::StatusOr<sip::SessionDescription>(absl::NotFoundError(""));
  auto audio = offer.ok() ? offer->findMedia("audio") : std::nullopt;
  if (audio) {
    // An answer: the offer's first codec the phone has, under the offer's payload type.
    int events = -1;
    bool chosen = false;
    for (const auto& map : offer->media[*audio].rtpMaps()) {
      if (absl::EqualsIgnoreCase(map.encoding, "telephone-event")) {
        if (events < 0 && map.clockRate == 8000) events = map.payloadType;
        continue;
      }
      if (chosen) continue;
      const bool ours = std::any_of(
          options.codecs.begin(), options.codecs.end(),
          [&](const std::string& c) { return absl::EqualsIgnoreCase(c, map.encoding); });
      const SimCodec* codec = FindSimCodec(map.encoding);
      if (ours && codec) {
        add(map.payloadType, codec->rtpmap);
        chosen = true;
      }
    }
    if (events >= 0 && options.telephoneEvent) {
      add(events, "telephone-event/8000");
      attributes += "a=fmtp:" + std::to_string(events) + " 0-16\r\n";
    }
  } else {
    for (const auto& name : options.codecs)
      if (const SimCodec* codec = FindSimCodec(name)) add(codec->payloadType, codec->rtpmap);
    if (options.telephoneEvent) {
      add(101, "telephone-event/8000");
      attributes += "a=fmtp:101 0-16\r\n";
    }
  }
  return "v=0\r\no=sim 1 1 IN IP4 " + ip + "\r\ns=-\r\nc=IN IP4 " + ip + "\r\nt=0 0\r\nm=audio " +
         std::to_string(localMedia_.port()) + " RTP/AVP" + formats + "\r\n" + attributes +
         "a=" + direction + "\r\n";
}

SimCall::~SimCall() = default;

void SimCall::playTone(int frequencyHz) {
  if (audio_) audio_->playTone(frequencyHz);
}

void SimCall::sendDtmf(char digit, media::DtmfMethod method, std::chrono::milliseconds duration) {
  if (method == media::DtmfMethod::kInfo) {
    sendInfo("application/dtmf-relay", std::string("Signal=") + digit + "\r\nDuration=" +
                                           std::to_string(duration.count()) + "\r\n");
    return;
  }
  if (audio_) audio_->sendDigit(digit, method, duration);
}

double SimCall::receivedFrequency(std::chrono::milliseconds window) const {
  return audio_ ? audio_->receivedFrequency(window) : 0;
}

std::string SimCall::receivedDigits(media::DtmfMethod method) const {
  if (method != media::DtmfMethod::kInfo) return audio_ ? audio_->receivedDigits(method) : "";
  std::string digits;
  for (const std::string& info : infos_) {
    auto signal = info.find("Signal=");
    if (signal != std::string::npos && signal + 7 < info.size()) digits += info[signal + 7];
  }
  return digits;
}

media::StreamFormat SimCall::mediaFormat() const {
  if (!audio_) return {};
  audio_->sync();
  return audio_->format();
}

uint64_t SimCall::longestAudioGapMs() const { return audio_ ? audio_->longestGapMs() : 0; }

std::string SimCall::AnswerDirectionFor(const std::string& offer) {
  if (offer.find("a=sendonly") != std::string::npos) return "recvonly";
  if (offer.find("a=recvonly") != std::string::npos) return "sendonly";
  if (offer.find("a=inactive") != std::string::npos) return "inactive";
  return "sendrecv";
}

void SimCall::refer(const std::string& number, const SimCall* replacing) {
  refer(number, replacing ? phone_.stack_.replacesFor(*replacing) : std::nullopt);
}

void SimCall::refer(const std::string& number, std::optional<sip::Replaces> replaces) {
  referStatus_ = 0;
  sip::ReferRequest refer;
  refer.referTo = {number, phone_.stack_.domain(), 0, ""};
  refer.replaces = std::move(replaces);
  refer.referredBy = "<sip:" + phone_.username_ + "@" + phone_.stack_.domain() + ">";
  phone_.stack_.phoneRefer(*this, std::move(refer));
}

void SimCall::sendInfo(const std::string& contentType, const std::string& body) {
  infoStatus_ = 0;
  phone_.stack_.phoneInfo(*this, contentType, body);
}

SocketAddress SimCall::remoteMedia() const {
  auto sdp = sip::SessionDescription::Parse(remoteSdp_);
  if (!sdp.ok()) return {};
  auto audio = sdp->findMedia("audio");
  if (!audio) return {};
  auto addr = sdp->rtpAddress(*audio);
  return addr.ok() ? *addr : SocketAddress();
}

void SimCall::ring() {
  if (!incoming_ || state_ != State::kRinging) return;
  phone_.stack_.phoneProvisional(*this, 180);
}

void SimCall::sessionProgress() {
  if (!incoming_ || state_ != State::kRinging) return;
  phone_.stack_.phoneProvisional(*this, 183, localSdp("sendrecv", !remoteSdp_.empty()));
}

void SimCall::answer() {
  if (!incoming_ || (state_ != State::kRinging && state_ != State::kEarly)) return;
  state_ = State::kAnswered;
  phone_.stack_.phoneAnswer(*this, localSdp("sendrecv", !remoteSdp_.empty()));
}

void SimCall::reject(int status) {
  if (!incoming_ || state_ != State::kRinging) return;
  state_ = State::kFailed;
  endReason_ = "rejected";
  phone_.stack_.phoneReject(*this, status);
}

void SimCall::hangup() {
  if (state_ == State::kAnswered) {
    state_ = State::kEnded;
    endReason_ = "local-bye";
    phone_.stack_.phoneBye(*this);
  } else if (!incoming_ &&
             (state_ == State::kCalling || state_ == State::kRinging || state_ == State::kEarly)) {
    state_ = State::kEnded;
    endReason_ = "cancelled";
    phone_.stack_.phoneCancel(*this);
  } else if (incoming_ && state_ == State::kRinging) {
    reject(486);
  }
}

void SimCall::reinvite(const std::string& direction) {
  reinviteStatus_ = 0;
  phone_.stack_.phoneReinvite(*this, localSdp(direction));
}

void SimCall::reinviteWithoutOffer(const std::string& answerDirection) {
  reinviteStatus_ = 0;
  phone_.stack_.phoneReinvite(*this, "", localSdp(answerDirection, true));
}

bool SimCall::sendRtp(uint64_t packets, uint64_t bytes) {
  SocketAddress to = remoteMedia();
  if (to.empty()) return false;
  return phone_.stack_.media().deliver(localMedia_, to, packets, bytes);
}

uint64_t SimCall::rtpReceived() const { return phone_.stack_.media().packetsSentTo(localMedia_); }

SimPhone::SimPhone(SimulatedSignalingStack& stack, std::string username, std::string password,
                   SocketAddress signaling, SimPhoneOptions options)
    : stack_(stack),
      username_(std::move(username)),
      password_(std::move(password)),
      signaling_(std::move(signaling)),
      options_(options),
      nextMediaPort_(10000) {}

SimCall& SimPhone::newCall(bool incoming, const std::string& number) {
  SocketAddress media = signaling_.withPort(nextMediaPort_);
  nextMediaPort_ += 2;
  calls_.push_back(std::unique_ptr<SimCall>(new SimCall(*this, incoming, number, media)));
  SimCall& call = *calls_.back();
  if (options_.audio) {
    call.audio_ = std::make_unique<SimAudio>(
        stack_.media(), stack_.dispatcher().timeSource(), media,
        [&call]() -> const std::string& { return call.remoteSdp_; }, options_.codecs,
        options_.telephoneEvent);
  }
  return call;
}

int SimPhone::registerAccount(std::chrono::seconds expires) {
  sip::RegisterRequest request;
  request.to.uri = {username_, stack_.domain(), 0, ""};
  request.from = request.to;
  request.callId = "reg-" + username_;
  request.cseq = 1;
  request.contacts.push_back({{username_, signaling_.ip(), signaling_.port(), ""}, std::nullopt});
  request.expires = static_cast<uint32_t>(expires.count());
  request.source = {signaling_, options_.transport};
  std::optional<sip::RegisterResponse> response;
  for (int attempt = 0; attempt < 2; ++attempt) {
    response.reset();
    stack_.phoneRegister(*this, request, [&](const sip::RegisterResponse& r) { response = r; });
    stack_.dispatcher().runPending();
    if (!response) return 0;
    if (response->status != 401 || !response->challenge) break;
    sip::DigestCredentials cred;
    cred.username = username_;
    cred.realm = response->challenge->realm;
    cred.nonce = response->challenge->nonce;
    cred.uri = "sip:" + stack_.domain();
    cred.qop = "auth";
    cred.cnonce = "simreg";
    cred.nonceCount = "00000001";
    cred.response = sip::DigestResponse(cred, "REGISTER", password_);
    request.credentials = cred;
    request.cseq++;
  }
  if (response->status == 200)
    grantedExpires_ = response->contacts.empty() ? 0 : response->contacts[0].expires.value_or(0);
  return response->status;
}

SimCall& SimPhone::call(const std::string& number, OfferTiming offer) {
  SimCall& call = newCall(/*incoming=*/false, number);
  call.offer_ = offer;
  sip::InviteRequest request;
  request.requestUri = {number, stack_.domain(), 0, ""};
  request.from.uri = {username_, stack_.domain(), 0, ""};
  request.to.uri = request.requestUri;
  if (offer == OfferTiming::kInInvite) request.sdp = call.localSdp("sendrecv");
  request.source = {signaling_, options_.transport};
  request.sessionTimer = sessionTimerRequest();
  request.require100rel = options_.require100rel;
  stack_.phoneInvite(call, std::move(request));
  return call;
}

SimCall& SimPhone::callReplacing(const SimCall& replaced, const std::string& number,
                                 bool earlyOnly) {
  auto replaces = stack_.replacesFor(replaced);
  if (replaces) replaces->earlyOnly = earlyOnly;
  return callReplacing(std::move(replaces), number);
}

SimCall& SimPhone::callReplacing(std::optional<sip::Replaces> replaces, const std::string& number) {
  SimCall& call = newCall(/*incoming=*/false, number);
  call.replaces_ = std::move(replaces);
  sip::InviteRequest request;
  request.requestUri = {number, stack_.domain(), 0, ""};
  request.from.uri = {username_, stack_.domain(), 0, ""};
  request.to.uri = request.requestUri;
  request.sdp = call.localSdp("sendrecv");
  request.source = {signaling_, options_.transport};
  request.replaces = call.replaces_;
  stack_.phoneInvite(call, std::move(request));
  return call;
}

sip::SessionTimerRequest SimPhone::sessionTimerRequest() const {
  sip::SessionTimerRequest st;
  st.expires = options_.sessionExpires;
  st.supported = options_.supportsTimer;
  if (options_.refresher == "uac") st.refresher = sip::SessionTimerRequest::Refresher::kUac;
  if (options_.refresher == "uas") st.refresher = sip::SessionTimerRequest::Refresher::kUas;
  return st;
}

SimCall* SimPhone::incoming() {
  for (auto it = calls_.rbegin(); it != calls_.rend(); ++it) {
    SimCall& c = **it;
    if (c.incoming() &&
        (c.state() == SimCall::State::kRinging || c.state() == SimCall::State::kEarly))
      return &c;
  }
  return nullptr;
}

}  // namespace pbx::testing
