// SignalingStack: the SIP stack as call control sees it — typed requests and dialogs, never
// raw SIP. pbxkit has two implementations: sofia-sip nua (pbx/sip/sofia.h) for the network,
// and the simulated stack of pbx/testing for in-process tests.
//
// Inbound work arrives at the SignalingHandler: REGISTER requests (answered through a
// responder, possibly later) and new INVITE dialogs. Each dialog reports its events to the
// DialogHandler that call control attaches to it, in the style of resiprocate's DUM.
//
//   class Controller : public SignalingHandler {
//     void onInvite(Dialog& dialog, const InviteRequest& request) override {
//       dialog.setHandler(&leg);          // or dialog.reject({404, "Not Found"})
//       dialog.sendProvisional(100, "Trying");
//     }
//   };
//
// Dialog lifetime: the stack owns every Dialog. A Dialog reference stays valid until either
// the stack delivered a terminal event (onFailed, onCancelled, onTerminated) — after which it
// is deleted once the callback returns — or call control ended it with reject() or hangup(),
// after which call control must not touch it again and receives no more events for it. CANCEL
// and BYE glare, late 200s after CANCEL and the like are the stack's business.
//
// Thread-safety: every method, and every callback, runs on the signaling thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "pbx/base/socket_address.h"
#include "pbx/sip/digest.h"

namespace pbx::sip {

enum class Transport { kUdp, kTcp, kTls, kWs };
const char* TransportName(Transport transport);  // "udp", "tcp", ...

struct Uri {
  std::string user;
  std::string host;
  uint16_t port = 0;        // 0 = not given
  std::string params;       // ";transport=tcp;..." verbatim, or empty
  std::string str() const;  // "sip:user@host:port;params"
  // Parses "sip:[user@]host[:port][;params]" (IPv6 hosts in brackets); no headers, no sips:.
  static absl::StatusOr<Uri> Parse(const std::string& text);
};

struct NameAddr {
  std::string displayName;
  Uri uri;
};

// Where a request came from: the packet's real source (which NAT may have rewritten).
struct RequestSource {
  SocketAddress address;
  Transport transport = Transport::kUdp;
};

// ---- REGISTER -----------------------------------------------------------------------------

struct ContactBinding {
  Uri uri;                          // the Contact URI as sent, e.g. sip:100@10.0.0.5:5062
  std::optional<uint32_t> expires;  // the Contact's expires parameter
};

struct RegisterRequest {
  NameAddr to;  // the address of record
  NameAddr from;
  std::string callId;
  uint32_t cseq = 0;
  std::vector<ContactBinding> contacts;          // empty for a query
  bool wildcard = false;                         // "Contact: *"
  std::optional<uint32_t> expires;               // the Expires header
  std::optional<DigestCredentials> credentials;  // Authorization
  RequestSource source;
  std::string userAgent;
};

struct RegisterResponse {
  int status = 200;
  std::string reason = "OK";
  std::optional<DigestChallenge> challenge{};  // 401: WWW-Authenticate
  std::vector<ContactBinding> contacts{};      // 200: the bindings now in force
  std::optional<uint32_t> minExpires{};        // 423: Min-Expires
};

using RegisterResponder = std::function<void(const RegisterResponse&)>;

// ---- INVITE dialogs -------------------------------------------------------------------------

// A dialog as RFC 3891's Replaces names it, from the side that receives the header: the
// dialog whose Call-ID is `callId`, whose local tag is `toTag` and whose remote tag is
// `fromTag`.
struct Replaces {
  std::string callId;
  std::string toTag;
  std::string fromTag;
  bool earlyOnly = false;  // ;early-only
};

// RFC 4028 session timer parameters of an INVITE: Session-Expires, its refresher, Min-SE, and
// whether the sender supports the extension (Supported/Require: timer).
struct SessionTimerRequest {
  enum class Refresher { kUnspecified, kUac, kUas };
  uint32_t expires = 0;  // Session-Expires delta-seconds; 0 when absent
  Refresher refresher = Refresher::kUnspecified;
  uint32_t minSE = 0;  // Min-SE; 0 when absent
  bool supported = false;
};

// A dialog's identity as seen from our side: its Call-ID and both tags.
struct DialogId {
  std::string callId;
  std::string localTag;
  std::string remoteTag;
  bool matches(const Replaces& replaces) const {
    return callId == replaces.callId && localTag == replaces.toTag && remoteTag == replaces.fromTag;
  }
};

struct InviteRequest {
  Uri requestUri;
  NameAddr from;
  NameAddr to;
  std::string callId;
  std::optional<DigestCredentials> credentials;  // Proxy-Authorization
  // The offer, or empty for a late-offer INVITE: then the offer goes in our 2xx and the
  // caller's answer arrives with its ACK (DialogHandler::onAck).
  std::string sdp;
  RequestSource source;
  std::string userAgent;
  // Replaces (RFC 3891): this INVITE takes the place of an existing dialog.
  std::optional<Replaces> replaces{};
  SessionTimerRequest sessionTimer{};
  // The caller requires reliable provisional responses (RFC 3262): the stack sends every 1xx
  // but 100 reliably and handles the PRACKs itself.
  bool require100rel = false;
};

// A REFER received in a dialog (RFC 3515): where the peer asks us to send its party.
struct ReferRequest {
  Uri referTo;                       // the target, without the Replaces header field
  std::optional<Replaces> replaces;  // Refer-To's ?Replaces=: an attended transfer
  std::string referredBy;            // the Referred-By header, verbatim, if any
};

// Answers a REFER: 202 to accept it (the progress then goes out as NOTIFYs, see
// Dialog::notifyReferProgress), or an error status (403, 488, 501, ...).
using ReferResponder = std::function<void(int status)>;
// Answers an INFO (or any in-dialog request the stack passes on): a final status.
using StatusResponder = std::function<void(int status)>;

// A final error response, optionally with a challenge (407) or Retry-After (503).
struct Rejection {
  int status = 500;
  std::string reason;
  std::optional<DigestChallenge> proxyChallenge{};  // 407: Proxy-Authenticate
  std::optional<uint32_t> retryAfterSeconds{};      // 503: Retry-After
  std::optional<uint32_t> minSessionExpires{};      // 422: Min-SE
};

enum class TerminationReason {
  kRemoteBye,       // the peer sent BYE
  kAckTimeout,      // our 2xx was never ACKed
  kTransportError,  // the peer became unreachable (e.g. BYE/re-INVITE timed out)
  kSessionExpired,  // session timer ran out
  kShutdown,        // the stack is shutting down
};
const char* TerminationReasonName(TerminationReason reason);

// Answers an offer received in a re-INVITE or UPDATE: status 200 with the answer SDP, or an
// error status (e.g. 488) with empty SDP.
using OfferResponder = std::function<void(int status, const std::string& sdp)>;

class DialogHandler {
 public:
  virtual ~DialogHandler() = default;
  // UAC: a provisional response (180, 183, ...) with its SDP if any.
  virtual void onProvisional(int status, const std::string& reason, const std::string& sdp) {}
  // UAC: 2xx received (the stack has ACKed it). The dialog is now confirmed.
  virtual void onAnswered(const std::string& sdp) = 0;
  // UAC: a final error response. Terminal.
  virtual void onFailed(int status, const std::string& reason) = 0;
  // UAS: the caller CANCELled before we answered (the stack sent 487). Terminal.
  virtual void onCancelled() = 0;
  // Either side, confirmed dialog: the dialog ended. Terminal.
  virtual void onTerminated(TerminationReason reason) = 0;
  // Either side, confirmed dialog: a re-INVITE or UPDATE carried a new offer.
  virtual void onOffer(const std::string& sdp, OfferResponder respond) = 0;
  // UAS: the ACK to our 2xx arrived, with its SDP body if any — the answer to the offer our
  // 2xx carried when the INVITE had none (RFC 3264 section 5, "late offer").
  virtual void onAck(const std::string& sdp) {}
  // Confirmed dialog: the peer sent REFER. Default: 603 (transfers not taken).
  virtual void onRefer(const ReferRequest& refer, ReferResponder respond) { respond(603); }
  // Confirmed dialog: the peer sent INFO (e.g. DTMF as application/dtmf-relay). Default: 415.
  virtual void onInfo(const std::string& contentType, const std::string& body,
                      StatusResponder respond) {
    respond(415);
  }
};

// The final answer to a re-INVITE we sent: 200 with the peer's answer, or an error (491 glare,
// 488, 408 timeout, ...), after which the session is as it was before.
using ReinviteDone = std::function<void(int status, const std::string& sdp)>;

class Dialog {
 public:
  virtual ~Dialog() = default;
  virtual void setHandler(DialogHandler* handler) = 0;
  // The SIP Call-ID of this dialog (for logs and CDRs).
  virtual const std::string& callId() const = 0;

  // UAS only, before the final response.
  virtual void sendProvisional(int status, const std::string& reason,
                               const std::string& sdp = {}) = 0;
  virtual void accept(const std::string& sdp) = 0;
  virtual void reject(const Rejection& rejection) = 0;  // ends the dialog
  // Either side: CANCEL before a final response (UAC), reject with 480 (UAS, unanswered),
  // or BYE (confirmed). Ends the dialog.
  virtual void hangup() = 0;

  // The dialog's Call-ID and tags (tags empty until the dialog has them).
  virtual DialogId id() const = 0;
  // Confirmed dialog: sends a re-INVITE with `sdp` as the offer; `done` gets the final answer
  // unless the dialog ends first. One at a time: a second one before the first's answer gets
  // 491 at once.
  virtual void reinvite(const std::string& sdp, ReinviteDone done) = 0;
  // After a REFER we accepted with 202: a NOTIFY with the message/sipfrag "SIP/2.0 <status>
  // <reason>" (the standard phrase for an empty reason); the one with a final status (>= 200)
  // ends the implicit subscription.
  virtual void notifyReferProgress(int status, const std::string& reason) = 0;
  // Confirmed dialog: sends INFO with the body (e.g. application/dtmf-relay).
  virtual void sendInfo(const std::string& contentType, const std::string& body) = 0;
  // UAS: our 2xx responses from now on carry "Session-Expires: <seconds>;refresher=uac|uas"
  // (and Require: timer when the caller supports it), RFC 4028. Call control keeps the timer.
  virtual void setSessionTimer(uint32_t seconds, bool weRefresh) = 0;
};

struct OutboundInvite {
  Uri requestUri;  // usually a registered Contact
  // Send to this address instead of resolving the Request-URI (the registration's source,
  // for phones behind NAT).
  std::optional<RequestSource> nextHop;
  NameAddr from;
  NameAddr to;
  std::string sdp;  // the offer
};

class SignalingHandler {
 public:
  virtual ~SignalingHandler() = default;
  virtual void onRegister(const RegisterRequest& request, RegisterResponder respond) = 0;
  // A new inbound dialog. The handler attaches a DialogHandler or rejects it, before
  // returning or later.
  virtual void onInvite(Dialog& dialog, const InviteRequest& request) = 0;
  // A new INVITE without credentials (no Proxy-Authorization), before the stack keeps any
  // state for it: a rejection to send at once and statelessly (a 407 challenge, or a 503
  // under overload), or nullopt to go on to onInvite. Stacks call it where they can answer
  // without a transaction (sofia's UDP socket), for requests they have scanned; every other
  // INVITE goes to onInvite, which must decide the same way.
  virtual std::optional<Rejection> screenInvite(const RequestSource& source) {
    return std::nullopt;
  }
};

class SignalingStack {
 public:
  virtual ~SignalingStack() = default;
  virtual void setHandler(SignalingHandler* handler) = 0;
  // Starts a UAC dialog. Events go to `handler`.
  virtual absl::StatusOr<Dialog*> invite(const OutboundInvite& invite, DialogHandler& handler) = 0;
  // INVITE transactions, of either leg, that have had no response yet, provisional or final:
  // the load signal for overload control. Ringing calls do not count (they wait for a person,
  // not for a loaded pbxd or next hop); INVITEs sent and not yet acknowledged by so much as a
  // 100, or received and not yet answered at all, do.
  virtual size_t pendingTransactions() const = 0;
  // How full the kernel's receive buffer of the SIP UDP socket is, 0 to 1: SIP that has
  // arrived and waits for the signaling thread. A pbxd that falls behind fills it, and past 1
  // the kernel drops datagrams, which come back as retransmissions. 0 without a UDP socket.
  virtual double receiveQueueFill() const = 0;
  // Stops taking requests, ends what is left, and calls `done` on the signaling thread when
  // the stack has shut down.
  virtual void shutdown(std::function<void()> done) = 0;
};
using SignalingStackPtr = std::unique_ptr<SignalingStack>;

}  // namespace pbx::sip
