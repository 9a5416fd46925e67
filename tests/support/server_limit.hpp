// A test's model of a server-side submit limit, shared by the rate tests.
#pragma once

#include <algorithm>

#include "gridbatch/clock.hpp"

namespace gridbatch::ratelimit::testing {

// A server's limit as the bundled simulator keeps it: full at the first
// request, then refilled at `rate` up to `burst`.
class ServerLimit {
 public:
  ServerLimit(double rate, double burst) : rate_(rate), burst_(burst), tokens_(burst) {}
  bool TryTake(Seconds now) {
    if (last_ >= 0) tokens_ = std::min(burst_, tokens_ + (now - last_) * rate_);
    last_ = now;
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
  }

 private:
  double rate_, burst_, tokens_;
  Seconds last_ = -1;
};

}  // namespace gridbatch::ratelimit::testing
