// SofiaStack: the SignalingStack over a sofia-sip nua user agent (media handling of nua
// disabled: call control owns SDP).
//
// Registers and INVITEs arrive through nua events; REGISTER handles are destroyed once
// answered, INVITE handles belong to a SofiaDialog until nua reports them terminated.
// OPTIONS and unknown methods are answered by nua itself (200 with Allow/Accept, or 405/501).
//
// Thread-safety: signaling thread only (the loop's thread).
#pragma once

#include <sofia-sip/nua.h>

#include <memory>
#include <optional>
#include <unordered_map>

#include "lib/sip/sofia/local_contact.h"
#include "lib/sip/sofia/sofia_dialog.h"
#include "lib/sip/sofia/sofia_event_loop.h"
#include "lib/sip/sofia/udp_buffers.h"
#include "lib/sip/sofia/udp_screen.h"
#include "lib/sip/sofia/udp_sender.h"
#include "pbx/sip/sofia.h"

namespace pbx::sip::internal {

// A `sip.listen` entry, "udp:IP:PORT" or "tcp:IP:PORT" (IPv6 in brackets).
struct ListenEntry {
  std::string transport;  // "udp" or "tcp"
  SocketAddress address;
};
absl::StatusOr<ListenEntry> ParseListenEntry(const std::string& entry);

class SofiaStack final : public SignalingStack {
 public:
  static absl::StatusOr<std::unique_ptr<SofiaStack>> Create(SofiaEventLoop& loop,
                                                            const SofiaStackOptions& options);
  ~SofiaStack() override;

  void setHandler(SignalingHandler* handler) override { handler_ = handler; }
  absl::StatusOr<Dialog*> invite(const OutboundInvite& invite, DialogHandler& handler) override;
  size_t pendingTransactions() const override { return pendingInvites_; }
  double receiveQueueFill() const override { return ReceiveQueueFill(udpSocket_); }
  SendThreadStats sendThreadStats() const;
  void shutdown(std::function<void()> done) override;

  void invitePending(int delta) { pendingInvites_ += delta; }
  bool shuttingDown() const { return shuttingDown_; }
  nua_t* nua() const { return nua_; }
  SofiaEventLoop& loop() { return loop_; }

 private:
  explicit SofiaStack(SofiaEventLoop& loop) : loop_(loop) {}
  absl::Status init(const SofiaStackOptions& options);
  // Finds the socket sofia bound for the first udp: entry (receiveQueueFill reads it).
  void findUdpSocket(const std::vector<std::string>& listen);

  static void OnEvent(nua_event_t event, int status, char const* phrase, nua_t* nua,
                      nua_magic_t* magic, nua_handle_t* nh, nua_hmagic_t* hmagic, sip_t const* sip,
                      tagi_t tags[]);
  void onEvent(nua_event_t event, int status, const char* phrase, nua_handle_t* nh,
               SofiaDialog* dialog, const sip_t* sip, tagi_t tags[]);
  void onRegister(nua_handle_t* nh, const sip_t* sip);
  void onNewInvite(nua_handle_t* nh, const sip_t* sip);
  // For the UdpScreen: a new INVITE without credentials, answered statelessly if call control
  // refuses it at once.
  std::optional<Rejection> screenInvite(const RequestSource& source);
  void finish(SofiaDialog* dialog);
  void startNuaShutdown();
  void destroyNua();

  SofiaEventLoop& loop_;
  nua_t* nua_ = nullptr;
  SignalingHandler* handler_ = nullptr;
  std::optional<LocalContact> contact_;  // set by init()
  std::unordered_map<SofiaDialog*, std::unique_ptr<SofiaDialog>> dialogs_;
  size_t pendingInvites_ = 0;
  int udpSocket_ = -1;                 // sofia's, not ours to close
  std::unique_ptr<UdpSender> sender_;  // on udpSocket_; sends what the screen answers too
  std::unique_ptr<UdpScreen> screen_;  // on udpSocket_
  bool shuttingDown_ = false;
  bool nuaShutdownStarted_ = false;
  bool shutdownComplete_ = false;
  std::function<void()> shutdownDone_;
};

}  // namespace pbx::sip::internal
