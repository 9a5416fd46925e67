// Every fault the simulator can inject, at once: the fault matrix's last
// case and the token-leak sweep use the same mix. Slow replies take 1 s, so
// a client whose request timeout is shorter sees them time out.
#pragma once

#include "sim_server.hpp"

namespace gridbatch::reliability {

inline sim::Faults EveryFault() {
  return {.p_429 = 0.03,
          .p_5xx = 0.08,
          .p_reset = 0.05,
          .p_slow = 0.05,
          .p_truncated = 0.05,
          .p_omit = 0.3,
          .retry_after_seconds = 1,
          .slow_seconds = 1.0};
}

}  // namespace gridbatch::reliability
