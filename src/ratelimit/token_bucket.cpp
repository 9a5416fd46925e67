#include "gridbatch/ratelimit/token_bucket.hpp"

#include <algorithm>
#include <cmath>

namespace gridbatch::ratelimit {

TokenBucket::TokenBucket(double rate_per_second, double burst, Seconds now)
    : rate_(rate_per_second), burst_(std::max(1.0, burst)), tokens_(1.0), last_(now) {}

void TokenBucket::Refill(Seconds now) {
  if (now <= last_) return;
  tokens_ = std::min(burst_, tokens_ + (now - last_) * rate_);
  last_ = now;
}

bool TokenBucket::TryTake(Seconds now) {
  if (now < paused_until_) return false;
  if (unlimited()) return true;
  if (!started_) {
    // Refilling counts from the first take, not from construction: time
    // spent starting up must not turn into a burst.
    started_ = true;
    last_ = std::max(last_, now);
  }
  Refill(now);
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

void TokenBucket::GiveBack(int count) {
  if (unlimited() || count <= 0) return;
  tokens_ = std::min(burst_, tokens_ + count);
}

Seconds TokenBucket::NextAvailable(Seconds now) const {
  const Seconds from = std::max(now, paused_until_);
  if (unlimited() || !started_) return from;
  const double tokens_then =
      from > last_ ? std::min(burst_, tokens_ + (from - last_) * rate_) : tokens_;
  if (tokens_then >= 1.0) return from;
  return from + (1.0 - tokens_then) / rate_;
}

void TokenBucket::PauseUntil(Seconds until) {
  if (until <= paused_until_) return;
  paused_until_ = until;
  if (!unlimited()) {
    // Restart from one token at `until`: refilling is counted from there.
    tokens_ = 1.0;
    last_ = until;
    started_ = true;
  }
}

void TokenBucket::SetRate(double rate_per_second, Seconds now) {
  if (started_ && !unlimited()) Refill(now);
  rate_ = rate_per_second;
}

double DefaultBurst(double rate_per_second) {
  if (rate_per_second <= 0) return 1;
  return std::max(1.0, std::ceil(rate_per_second / 20.0));
}

}  // namespace gridbatch::ratelimit
