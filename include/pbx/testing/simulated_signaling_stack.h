// SimulatedSignalingStack: the SignalingStack of the simulation harness. Instead of a
// network it has SimPhones: what call control does to a Dialog reaches the phone's SimCall,
// and what a phone does reaches call control, each delivered through the dispatcher as a
// separate step (as a network would), in order.
//
// It keeps the stack contract of pbx/sip/signaling_stack.h: after reject()/hangup() or a
// terminal event the handler hears nothing more; a phone's 200 that crosses the PBX's CANCEL
// is answered with BYE by the stack itself. Dialogs that have ended are forgotten, so a long
// simulation holds only the calls in progress.
//
// Thread-safety: single-threaded (the test's thread).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "pbx/base/simulated_dispatcher.h"
#include "pbx/sip/signaling_stack.h"

namespace pbx::testing {

class SimCall;
class SimPhone;
class SimulatedMediaEngine;

class SimulatedSignalingStack final : public sip::SignalingStack {
 public:
  SimulatedSignalingStack(SimulatedDispatcher& dispatcher, SimulatedMediaEngine& media,
                          std::string domain);
  ~SimulatedSignalingStack() override;

  void setHandler(sip::SignalingHandler* handler) override { handler_ = handler; }
  absl::StatusOr<sip::Dialog*> invite(const sip::OutboundInvite& invite,
                                      sip::DialogHandler& handler) override;
  size_t pendingTransactions() const override;
  // No kernel socket here: tests set the fill that overload control should see.
  double receiveQueueFill() const override { return receiveQueueFill_; }
  void setReceiveQueueFill(double fill) { receiveQueueFill_ = fill; }
  // INVITE dialogs the stack still tracks: the calls in progress, plus ended ones whose
  // retirement is queued or that still wait for the phone's final response.
  size_t dialogCount() const { return dialogs_.size(); }
  void shutdown(std::function<void()> done) override;

  const std::string& domain() const { return domain_; }
  SimulatedDispatcher& dispatcher() { return dispatcher_; }
  SimulatedMediaEngine& media() { return media_; }
  void attach(SimPhone* phone);

  // Phone → PBX.
  void phoneRegister(SimPhone& phone, sip::RegisterRequest request,
                     std::function<void(const sip::RegisterResponse&)> onResponse);
  void phoneInvite(SimCall& call, sip::InviteRequest request);
  void phoneProvisional(SimCall& call, int status, const std::string& sdp = {});
  void phoneAnswer(SimCall& call, const std::string& sdp);
  void phoneReject(SimCall& call, int status);
  void phoneCancel(SimCall& call);
  void phoneBye(SimCall& call);
  // A re-INVITE with `sdp` as its offer; with an empty one, `ackAnswer` goes in the ACK.
  void phoneReinvite(SimCall& call, const std::string& sdp, const std::string& ackAnswer = {});
  void phoneRefer(SimCall& call, sip::ReferRequest refer);
  void phoneInfo(SimCall& call, const std::string& contentType, const std::string& body);
  // The Replaces header that names `call`'s dialog with the PBX, as the phone would write it.
  std::optional<sip::Replaces> replacesFor(const SimCall& call);

 private:
  class SimDialog;
  friend class SimDialog;
  SimDialog* find(uint64_t id);
  SimDialog* dialogOf(const SimCall& call);
  // Delivers `f` to the dialog's handler as a separate step, unless it ended meanwhile.
  void toHandler(uint64_t id, std::function<void(sip::DialogHandler&)> f);
  void onPhoneRejected(SimCall& call, const sip::Rejection& rejection);

  SimulatedDispatcher& dispatcher_;
  SimulatedMediaEngine& media_;
  std::string domain_;
  sip::SignalingHandler* handler_ = nullptr;
  std::map<uint64_t, std::unique_ptr<SimDialog>> dialogs_;
  std::map<std::string, SimPhone*> phonesByAddress_;
  uint64_t nextDialog_ = 1;
  bool shutDown_ = false;
  double receiveQueueFill_ = 0;
};

}  // namespace pbx::testing
