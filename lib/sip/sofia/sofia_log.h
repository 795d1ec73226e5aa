// Sends sofia-sip's own log output (su_log) into pbxkit's log sink, component "sofia".
#pragma once

namespace pbx::sip::internal {
// Idempotent; called when the first sofia event loop is created.
void RedirectSofiaLogs();
}  // namespace pbx::sip::internal
