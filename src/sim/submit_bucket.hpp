// SubmitBucket: the server-side token bucket that limits POST /jobs. A submit
// that finds it empty is answered 429 with the wait until the next token.
#pragma once

#include <algorithm>
#include <mutex>

namespace gridbatch::sim {

class SubmitBucket {
 public:
  // rate: tokens per second, 0 for no limit; burst 0 means max(1, rate).
  SubmitBucket(double rate, double burst)
      : rate_(rate), burst_(burst > 0 ? burst : std::max(1.0, rate)), tokens_(burst_) {}

  // Takes a token at time `now` (seconds, monotonic) and returns 0, or
  // returns how long until one will be there.
  double TryTake(double now) {
    if (rate_ <= 0) return 0;
    std::lock_guard lock(mutex_);
    if (last_ >= 0) tokens_ = std::min(burst_, tokens_ + (now - last_) * rate_);
    last_ = now;
    if (tokens_ >= 1) {
      tokens_ -= 1;
      return 0;
    }
    return (1 - tokens_) / rate_;
  }

 private:
  const double rate_;
  const double burst_;
  double tokens_;
  double last_ = -1;
  std::mutex mutex_;
};

}  // namespace gridbatch::sim
