#include "lib/sip/sofia/sofia_clock.h"

#include <sofia-sip/su_time.h>

#include <mutex>

// libsofia-sip-ua exports this hook (su/su_time0.c), which su_time() calls after reading the
// clock, but no installed header declares it.
extern "C" void (*_su_time)(su_time_t* tv);

namespace pbx::sip::internal {
namespace {

void CeilToMillisecond(su_time_t* tv) {
  if (tv == nullptr) return;
  unsigned long submillisecond = tv->tv_usec % 1000;
  if (submillisecond == 0) return;
  tv->tv_usec += 1000 - submillisecond;
  if (tv->tv_usec >= 1000000) {
    tv->tv_usec -= 1000000;
    tv->tv_sec += 1;
  }
}

}  // namespace

void RoundSofiaClockToMilliseconds() {
  static std::once_flag once;
  std::call_once(once, [] { _su_time = &CeilToMillisecond; });
}

}  // namespace pbx::sip::internal
