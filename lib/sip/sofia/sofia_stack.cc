#include "lib/sip/sofia/sofia_stack.h"

#include <sofia-sip/msg_addr.h>
#include <sofia-sip/nta.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_tag_io.h>
#include <sofia-sip/tport_tag.h>

#include <climits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "lib/base/log.h"
#include "lib/sip/sofia/request_line.h"
#include "lib/sip/sofia/request_ref.h"
#include "lib/sip/sofia/sofia_convert.h"
#include "lib/sip/sofia/udp_buffers.h"
#include "pbx/base/status.h"

namespace pbx::sip::internal {
namespace {

std::string NameAddrString(const NameAddr& a) {
  std::string out;
  if (!a.displayName.empty()) {
    out.append("\"");
    for (char c : a.displayName) {
      if (c == '"' || c == '\\') out.push_back('\\');
      if (c != '\r' && c != '\n') out.push_back(c);
    }
    out.append("\" ");
  }
  return out.append("<").append(a.uri.str()).append(">");
}

// A REGISTER answer, sent through the request it answers (and a 500 if none was given).
class RegisterReply {
 public:
  RegisterReply(nua_t* nua, nua_handle_t* nh) : nh_(nh), request_(nua) {}
  ~RegisterReply() {
    if (!answered_) send({500, "Server Internal Error"});
  }
  void send(const RegisterResponse& r) {
    if (answered_) return;
    answered_ = true;
    std::vector<std::string> contacts;
    for (const auto& c : r.contacts)
      contacts.push_back(absl::StrCat("<", c.uri.str(), ">;expires=", c.expires.value_or(0)));
    std::string contact = absl::StrJoin(contacts, ", ");
    std::string challenge = r.challenge ? r.challenge->headerValue() : std::string();
    std::string minExpires = r.minExpires ? std::to_string(*r.minExpires) : std::string();
    msg_t* msg = request_.msg();
    nua_respond(nh_, r.status, StablePhrase(r.status, r.reason), TAG_IF(msg, NUTAG_WITH(msg)),
                TAG_IF(!contact.empty(), SIPTAG_CONTACT_STR(contact.c_str())),
                TAG_IF(!challenge.empty(), SIPTAG_WWW_AUTHENTICATE_STR(challenge.c_str())),
                TAG_IF(!minExpires.empty(), SIPTAG_MIN_EXPIRES_STR(minExpires.c_str())), TAG_END());
    nua_handle_destroy(nh_);
  }

 private:
  nua_handle_t* nh_;
  RequestRef request_;
  bool answered_ = false;
};

}  // namespace

absl::StatusOr<ListenEntry> ParseListenEntry(const std::string& entry) {
  std::vector<std::string> parts = absl::StrSplit(entry, absl::MaxSplits(':', 1));
  if (parts.size() != 2 || (parts[0] != "udp" && parts[0] != "tcp"))
    return absl::InvalidArgumentError(
        absl::StrCat("listen entry '", entry, "' must look like udp:IP:PORT or tcp:IP:PORT"));
  const std::string& hostport = parts[1];
  size_t colon = hostport.rfind(':');
  if (colon == std::string::npos || colon == 0)
    return absl::InvalidArgumentError(absl::StrCat("listen entry '", entry, "' has no port"));
  uint32_t port = 0;
  if (!absl::SimpleAtoi(hostport.substr(colon + 1), &port) || port > 65535)
    return absl::InvalidArgumentError(absl::StrCat("listen entry '", entry, "' has a bad port"));
  auto addr = SocketAddress::Parse(hostport.substr(0, colon), static_cast<uint16_t>(port));
  if (!addr.ok())
    return absl::InvalidArgumentError(
        absl::StrCat("listen entry '", entry, "': ", addr.status().message()));
  return ListenEntry{parts[0], *addr};
}

absl::StatusOr<std::unique_ptr<SofiaStack>> SofiaStack::Create(SofiaEventLoop& loop,
                                                               const SofiaStackOptions& options) {
  std::unique_ptr<SofiaStack> stack(new SofiaStack(loop));
  PBX_RETURN_IF_ERROR(stack->init(options));
  return stack;
}

absl::Status SofiaStack::init(const SofiaStackOptions& options) {
  PBX_ASSIGN_OR_RETURN(Listeners listeners, ParseListeners(options.listen));
  std::string uri = listeners.bindUri();
  contact_.emplace(listeners);
  nua_ = nua_create(loop_.root(), &SofiaStack::OnEvent, reinterpret_cast<nua_magic_t*>(this),
                    NUTAG_URL(uri.c_str()), NTATAG_MCLASS(RequestLineCheckingMclass()),
                    TPTAG_UDP_RMEM(kUdpSocketBuffer), TPTAG_UDP_WMEM(kUdpSocketBuffer), TAG_END());
  if (nua_ == nullptr)
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", absl::StrJoin(options.listen, ", "),
                     " (address in use, or not an address of this host)"));
  nua_set_params(nua_, NUTAG_MEDIA_ENABLE(0), NUTAG_AUTOALERT(0), NUTAG_AUTOANSWER(0),
                 NUTAG_AUTOACK(1), NUTAG_ENABLEINVITE(1), NUTAG_SESSION_TIMER(0),
                 // nua refuses Session-Expires below its Min-SE with 422 before call control
                 // sees the INVITE: at RFC 4028's floor, call control applies the configured one.
                 NUTAG_MIN_SE(90),
                 // REFER and INFO are ours to answer (transfers, DTMF), not nua's.
                 NUTAG_APPL_METHOD("INVITE, REGISTER, UPDATE, REFER, INFO"),
                 // A callee's 302/305 is its answer, not an order: following it would let any
                 // registered device have pbxd call wherever its Contact points.
                 NUTAG_AUTO302(0), NUTAG_AUTO305(0),
                 // No nta progress timer (periodic 180 retransmission): nta keeps it in a
                 // list sorted by linear insertion, which costs O(ringing calls) per call
                 // and collapses a loaded pbxd. Call refreshes 180s on its own timer.
                 NTATAG_PROGRESS(UINT_MAX),
                 // 100 Trying only for an INVITE that has had no response for 200 ms (RFC 3261
                 // 17.2.1), sent by nta's timer N1, and again by nta for a retransmission while
                 // unanswered. Not nua's at once: ahead of every 407 or 503 that was one message
                 // in four of each refused call, and a callee that rings at once makes it one
                 // in sixteen of every call, for nothing. Over TCP, N1 is T2/2 = 2 s, so
                 // onNewInvite sends the 100 at once there (nothing is retransmitted anyway).
                 NUTAG_AUTO100(0), NTATAG_EXTRA_100(1), SIPTAG_ALLOW_STR(options.allow.c_str()),
                 SIPTAG_USER_AGENT_STR(options.userAgent.c_str()), TAG_END());
  PBX_LOG(kInfo, "sip", "", "listening on {}", absl::StrJoin(options.listen, ", "));
  if (listeners.udp) {
    if (auto warning = UdpBufferWarning(ReadUdpBufferLimits(), kUdpSocketBuffer))
      PBX_LOG(kWarning, "sip", "", "{}", *warning);
    findUdpSocket(options.listen);
  }
  if (udpSocket_ >= 0 && options.tuning.udpSendThread) {
    if (UdpSender::Active())
      sender_ = std::make_unique<UdpSender>(udpSocket_);
    else
      PBX_LOG(kInfo, "sip", "",
              "sofia-sip sends UDP without pbxkit's su_vsend in this process: the signaling "
              "thread sends it");
  }
  if (udpSocket_ >= 0) {
    screen_ = std::make_unique<UdpScreen>(
        udpSocket_, [this](const RequestSource& source) { return screenInvite(source); },
        absl::StrCat("User-Agent: ", options.userAgent, "\r\n"));
    if (!UdpScreen::Active())
      PBX_LOG(kInfo, "sip", "",
              "sofia-sip reads UDP without pbxkit's su_vrecv in this process: new INVITEs are "
              "challenged through nua");
  }
  return absl::OkStatus();
}

SendThreadStats SofiaStack::sendThreadStats() const {
  return sender_ ? sender_->stats() : SendThreadStats{};
}

void SofiaStack::findUdpSocket(const std::vector<std::string>& listen) {
  for (const auto& entry : listen) {
    auto parsed = ParseListenEntry(entry);
    if (!parsed.ok() || parsed->transport != "udp") continue;
    udpSocket_ = FindUdpSocket(parsed->address);
    if (udpSocket_ < 0)
      PBX_LOG(kWarning, "sip", "",
              "no UDP socket found for {}: overload control will not see its receive queue", entry);
    return;
  }
}

SofiaStack::~SofiaStack() {
  if (nua_ == nullptr) return;
  if (!shutdownComplete_) {
    // Not shut down through shutdown(), or calls are still ending: a peer holds a BYE or a
    // CANCEL open (answered with 1xx only, or not at all), which nua would wait out for up
    // to 30 s, and nua_destroy() refuses to free a stack whose shutdown has not completed.
    // Drop the calls' handles while nua still takes that (not once nua_shutdown() has
    // started), which ends their transactions, then shut down.
    shuttingDown_ = true;
    while (!dialogs_.empty()) finish(dialogs_.begin()->first);  // the last one starts it
    startNuaShutdown();
    for (int i = 0; i < 200 && !shutdownComplete_; ++i) su_root_step(loop_.root(), 10);
    if (!shutdownComplete_) PBX_LOG(kError, "sip", "", "sofia-sip did not shut down; leaking it");
  }
  destroyNua();
}

void SofiaStack::destroyNua() {
  screen_.reset();
  sender_.reset();  // sends what is queued while sofia's socket is still open
  for (auto& [ptr, dialog] : dialogs_) nua_handle_bind(dialog->handle(), nullptr);
  dialogs_.clear();
  if (nua_) nua_destroy(nua_);
  nua_ = nullptr;
}

absl::StatusOr<Dialog*> SofiaStack::invite(const OutboundInvite& invite, DialogHandler& handler) {
  if (shuttingDown_) return absl::UnavailableError("SIP stack is shutting down");
  std::string requestUri = invite.requestUri.str();
  std::string to = NameAddrString(invite.to);
  std::string from = NameAddrString(invite.from);
  nua_handle_t* nh =
      nua_handle(nua_, nullptr, NUTAG_URL(requestUri.c_str()), SIPTAG_TO_STR(to.c_str()),
                 SIPTAG_FROM_STR(from.c_str()), TAG_END());
  if (nh == nullptr) return absl::InternalError("nua_handle failed");
  OutboundTarget target = TargetOf(invite);
  std::string contact = contact_->header(target.transport, target.peer);
  auto dialog =
      std::make_unique<SofiaDialog>(*this, nh, /*uac=*/true, std::string(), std::move(contact));
  SofiaDialog* raw = dialog.get();
  nua_handle_bind(nh, reinterpret_cast<nua_hmagic_t*>(raw));
  raw->setHandler(&handler);
  std::string proxy = invite.nextHop ? NextHopUri(*invite.nextHop) : std::string();
  nua_invite(nh, TAG_IF(!proxy.empty(), NUTAG_PROXY(proxy.c_str())),
             TAG_IF(!raw->contact().empty(), SIPTAG_CONTACT_STR(raw->contact().c_str())),
             SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(invite.sdp.c_str()),
             TAG_END());
  dialogs_.emplace(raw, std::move(dialog));
  return raw;
}

void SofiaStack::shutdown(std::function<void()> done) {
  shutdownDone_ = std::move(done);
  shuttingDown_ = true;
  // nua's own shutdown starts once the calls have ended (finish()), since from then on it
  // refuses to destroy a handle; until then new requests get 503.
  if (dialogs_.empty()) startNuaShutdown();
}

void SofiaStack::startNuaShutdown() {
  if (nuaShutdownStarted_) return;
  nuaShutdownStarted_ = true;
  nua_shutdown(nua_);
}

void SofiaStack::OnEvent(nua_event_t event, int status, char const* phrase, nua_t*,
                         nua_magic_t* magic, nua_handle_t* nh, nua_hmagic_t* hmagic,
                         sip_t const* sip, tagi_t tags[]) {
  reinterpret_cast<SofiaStack*>(magic)->onEvent(event, status, phrase, nh,
                                                reinterpret_cast<SofiaDialog*>(hmagic), sip, tags);
}

void SofiaStack::onEvent(nua_event_t event, int status, const char* phrase, nua_handle_t* nh,
                         SofiaDialog* dialog, const sip_t* sip, tagi_t tags[]) {
  if (event == nua_r_shutdown) {
    if (status >= 200 && !shutdownComplete_) {
      shutdownComplete_ = true;
      if (shutdownDone_) {
        auto done = std::move(shutdownDone_);
        done();
      }
    }
    return;
  }
  if (dialog != nullptr) {
    if (dialog->onEvent(event, status, phrase, sip, tags)) finish(dialog);
    return;
  }
  if (nh == nullptr) return;
  switch (event) {
    case nua_i_register:
      onRegister(nh, sip);
      return;
    case nua_i_invite:
      onNewInvite(nh, sip);
      return;
    case nua_i_update:
    case nua_i_info:
    case nua_i_refer:
      // Outside a dialog we know: no session to update, nothing to transfer, no call to send
      // digits to. The response names its request (without it nua answers the handle's
      // missing INVITE, and its handle's destruction then sends 500). For a REFER, nua has
      // already queued the NOTIFY (100 Trying) that opens the subscription a REFER outside a
      // dialog creates, ahead of this response: sofia-sip 1.12.11 offers no hook before it.
      nua_respond(nh, 481, "Call/Transaction Does Not Exist", NUTAG_WITH_THIS(nua_), TAG_END());
      nua_handle_destroy(nh);
      return;
    case nua_i_options:
    case nua_i_bye:
    case nua_i_cancel:
    case nua_i_message:
    case nua_i_subscribe:
    case nua_i_notify:
    case nua_i_publish:
    case nua_i_method:
      // Answered by nua itself; the handle it made for the request is not ours to keep.
      nua_handle_destroy(nh);
      return;
    default:
      return;
  }
}

void SofiaStack::onRegister(nua_handle_t* nh, const sip_t* sip) {
  auto reply = std::make_shared<RegisterReply>(nua_, nh);
  if (handler_ == nullptr || sip == nullptr || sip->sip_to == nullptr || shuttingDown_) {
    reply->send({503, "Service Unavailable"});
    return;
  }
  RegisterRequest request;
  request.to = ToNameAddr(sip->sip_to);
  request.from = ToNameAddr(sip->sip_from);
  if (sip->sip_call_id && sip->sip_call_id->i_id) request.callId = sip->sip_call_id->i_id;
  if (sip->sip_cseq) request.cseq = sip->sip_cseq->cs_seq;
  for (const sip_contact_t* m = sip->sip_contact; m != nullptr; m = m->m_next) {
    if (m->m_url->url_type == url_any) {
      request.wildcard = true;
      continue;
    }
    if (m->m_url->url_type != url_sip) {
      // tel:, urn:, http: name nothing a call can be sent to, and sips: needs TLS.
      reply->send({400, "Bad Contact: only sip: URIs can be registered"});
      return;
    }
    ContactBinding binding;
    binding.uri = ToUri(m->m_url);
    uint32_t expires = 0;
    if (m->m_expires && absl::SimpleAtoi(m->m_expires, &expires)) binding.expires = expires;
    request.contacts.push_back(std::move(binding));
  }
  if (sip->sip_expires) request.expires = static_cast<uint32_t>(sip->sip_expires->ex_delta);
  request.credentials = ToCredentials(sip->sip_authorization);
  request.source = SourceOf(nua_current_request(nua_));
  request.userAgent = UserAgentOf(sip);
  handler_->onRegister(request, [reply](const RegisterResponse& r) { reply->send(r); });
}

void SofiaStack::onNewInvite(nua_handle_t* nh, const sip_t* sip) {
  std::string callId =
      sip && sip->sip_call_id && sip->sip_call_id->i_id ? sip->sip_call_id->i_id : std::string();
  RequestSource source = SourceOf(nua_current_request(nua_));
  std::string remoteTag =
      sip && sip->sip_from && sip->sip_from->a_tag ? sip->sip_from->a_tag : std::string();
  auto dialog =
      std::make_unique<SofiaDialog>(*this, nh, /*uac=*/false, callId,
                                    contact_->header(source.transport, source.address), remoteTag);
  SofiaDialog* raw = dialog.get();
  nua_handle_bind(nh, reinterpret_cast<nua_hmagic_t*>(raw));
  dialogs_.emplace(raw, std::move(dialog));
  if (handler_ == nullptr || shuttingDown_ || sip == nullptr) {
    raw->reject({503, "Service Unavailable"});
    return;
  }
  InviteRequest request;
  request.requestUri = ToUri(sip->sip_request ? sip->sip_request->rq_url : nullptr);
  request.from = ToNameAddr(sip->sip_from);
  request.to = ToNameAddr(sip->sip_to);
  request.callId = callId;
  request.credentials = ToCredentials(sip->sip_proxy_authorization);
  request.sdp = SdpBodyOf(sip);
  request.source = source;
  request.userAgent = UserAgentOf(sip);
  request.replaces = ToReplaces(sip->sip_replaces);
  request.sessionTimer = ToSessionTimer(sip);
  request.require100rel = HasOptionTag(sip->sip_require, "100rel");
  raw->setPeerFeatures(request.sessionTimer.supported, request.require100rel);
  handler_->onInvite(*raw, request);
  if (request.source.transport != Transport::kUdp) raw->sendTryingIfUnanswered();
}

std::optional<Rejection> SofiaStack::screenInvite(const RequestSource& source) {
  if (handler_ == nullptr || shuttingDown_) return std::nullopt;
  return handler_->screenInvite(source);
}

void SofiaStack::finish(SofiaDialog* dialog) {
  auto it = dialogs_.find(dialog);
  if (it == dialogs_.end()) return;
  nua_handle_bind(dialog->handle(), nullptr);
  nua_handle_destroy(dialog->handle());
  dialogs_.erase(it);
  if (shuttingDown_ && dialogs_.empty()) startNuaShutdown();
}

}  // namespace pbx::sip::internal

namespace pbx::sip {

absl::StatusOr<std::string> ListenEntryToUri(const std::string& entry) {
  PBX_ASSIGN_OR_RETURN(auto parsed, internal::ParseListenEntry(entry));
  return absl::StrCat("sip:", parsed.address.str(), ";transport=", parsed.transport);
}

SendThreadStats SofiaSendThreadStats(const SignalingStack& stack) {
  auto* sofia = dynamic_cast<const internal::SofiaStack*>(&stack);
  return sofia ? sofia->sendThreadStats() : SendThreadStats{};
}

absl::StatusOr<SignalingStackPtr> CreateSofiaStack(EventLoop& loop,
                                                   const SofiaStackOptions& options) {
  auto* sofiaLoop = dynamic_cast<internal::SofiaEventLoop*>(&loop);
  if (sofiaLoop == nullptr)
    return absl::InvalidArgumentError("CreateSofiaStack needs the loop of CreateSofiaEventLoop()");
  auto stack = internal::SofiaStack::Create(*sofiaLoop, options);
  if (!stack.ok()) return stack.status();
  return SignalingStackPtr(std::move(*stack));
}
}  // namespace pbx::sip
