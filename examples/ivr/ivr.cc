#include "ivr.h"

namespace examples {

using pbx::call::CollectedDigits;
using pbx::routing::Decision;

void Ivr::route(const pbx::routing::IncomingCall& call, pbx::routing::DecisionCallback decide) {
  if (call.destination != menu_.number) return decide(Decision::Ring({{call.destination}}));
  decide(Decision::Answer());
  offer(call.id, 1);  // runs once the answer is out: operations follow the decision
}

// Plays the menu, then waits for one digit.
void Ivr::offer(pbx::CallId call, int attempt) {
  calls_.play(call, {}, {.files = {menu_.prompt}}, [this, call, attempt](absl::Status played) {
    if (absl::IsCancelled(played)) return;  // the caller left
    pbx::call::DigitCollection one{
        .maxDigits = 1, .firstDigitTimeout = menu_.wait, .terminators = ""};
    calls_.collectDigits(call, {}, one, [this, call, attempt](auto got) {
      if (!got.ok() || got->reason == CollectedDigits::Reason::kLegEnded) return;
      auto choice = menu_.choices.find(got->digits.empty() ? '\0' : got->digits[0]);
      if (choice != menu_.choices.end()) return transfer(call, choice->second);
      report_(call.str() + ": no choice (" + got->digits + ")");
      if (attempt < 2) return offer(call, attempt + 1);
      transfer(call, menu_.operatorExtension);
    });
  });
}

void Ivr::transfer(pbx::CallId call, const std::string& extension) {
  report_(call.str() + ": to " + extension);
  calls_.blindTransfer(call, extension, {}, [this, call, extension](absl::Status status) {
    if (status.ok()) return;
    report_(call.str() + ": cannot reach " + extension + ": " + std::string(status.message()));
    calls_.hangup(call);
  });
}

}  // namespace examples
