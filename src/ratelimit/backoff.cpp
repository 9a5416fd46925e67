#include "gridbatch/ratelimit/backoff.hpp"

#include <algorithm>
#include <cmath>

namespace gridbatch::ratelimit {

Backoff::Backoff(BackoffPolicy policy, std::uint64_t seed) : policy_(policy), rng_(seed) {}

Seconds Backoff::Ceiling(int attempt) const {
  const int exponent = std::clamp(attempt - 1, 0, 62);
  return std::min(policy_.cap, policy_.base * std::ldexp(1.0, exponent));
}

Seconds Backoff::Delay(int attempt, std::optional<Seconds> retry_after) {
  std::uniform_real_distribution<double> jitter(0.0, Ceiling(attempt));
  const Seconds delay = jitter(rng_);
  if (retry_after && *retry_after > delay) return *retry_after;
  return delay;
}

}  // namespace gridbatch::ratelimit
