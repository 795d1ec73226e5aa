// A C++ IVR in one screen: calls to the menu's number are answered and hear the menu; one
// digit transfers the caller to the extension it stands for. No digit (or one that stands for
// nothing) replays the menu once, then the caller goes to the operator. Calls to other numbers
// ring the extension dialled. The same code runs on a real pbx::Pbx (main.cc) and on the
// simulation harness (tests/unit/examples/ivr_test.cc).
//
//   examples::Ivr::Menu menu;
//   menu.number = "500";
//   menu.prompt = "/usr/share/pbx/menu.wav";         // "for sales press 1, for support 2"
//   menu.choices = {{'1', "101"}, {'2', "102"}};
//   menu.operatorExtension = "100";
//   pbx->calls().setDialplan(std::make_shared<examples::Ivr>(pbx->calls(), menu));
//
// A transfer nobody answers leaves the caller answered, in silence: a fuller IVR would follow
// the call's kMissed event and offer the menu again. Digits dialled while the menu plays are
// not collected (collectDigits() starts after it).
//
// Thread-safety: route() runs on the signaling thread and the completions on the event
// thread; the menu is fixed at construction. The CallControl must outlive the IVR.
#pragma once

#include <pbx/call/call_control.h>

#include <chrono>
#include <functional>
#include <map>
#include <string>

namespace examples {

class Ivr final : public pbx::routing::Dialplan {
 public:
  struct Menu {
    std::string number = "500";
    std::string prompt;
    std::map<char, std::string> choices;                      // digit -> extension
    std::string operatorExtension;                            // after a second try without a choice
    std::chrono::milliseconds wait{std::chrono::seconds(5)};  // for the digit, after the menu
  };
  using Report = std::function<void(const std::string& line)>;

  Ivr(
      pbx::call::CallControl& calls, Menu menu, Report report = [](const std::string&) {})
      : calls_(calls), menu_(std::move(menu)), report_(std::move(report)) {}

  void route(const pbx::routing::IncomingCall& call,
             pbx::routing::DecisionCallback decide) override;

 private:
  void offer(pbx::CallId call, int attempt);
  void transfer(pbx::CallId call, const std::string& extension);

  pbx::call::CallControl& calls_;
  const Menu menu_;
  const Report report_;
};

}  // namespace examples
