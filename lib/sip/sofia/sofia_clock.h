// sofia-sip's clock, rounded up to whole milliseconds.
//
// su_root's loop sleeps until its next timer for su_duration(when, now) milliseconds, which
// truncates: a timer due in 0.9 ms gives a zero timeout, and the loop then calls
// epoll_wait(0) until the timer is due. nta re-arms its one agent timer at "now" plus whole
// milliseconds after every transaction event, so under load the signaling thread spun most of
// the time it had nothing to do (at 200 calls/s, ~28 epoll_wait calls per call). With su_now()
// rounded up to the next millisecond, every timer is set on a millisecond boundary and the
// remaining time is a whole number of milliseconds: the loop sleeps or fires, never spins.
// Timers set through su_now() may fire up to 1 ms early; SofiaEventLoop's own timers add that
// millisecond back (sofia_event_loop.cc).
#pragma once

namespace pbx::sip::internal {
// Idempotent and process-wide (it sets sofia's su_time() hook); called when the first sofia
// event loop is created.
void RoundSofiaClockToMilliseconds();
}  // namespace pbx::sip::internal
