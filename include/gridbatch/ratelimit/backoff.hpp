// Retry delays: exponential backoff with full jitter and a cap
// (delay = uniform(0, min(cap, base * 2^(attempt-1)))), and a Retry-After
// from the service as a floor. Pure: the random source is passed in.
#pragma once

#include <cstdint>
#include <optional>
#include <random>

#include "gridbatch/clock.hpp"

namespace gridbatch::ratelimit {

struct BackoffPolicy {
  // First retry's ceiling. Default: 1 s.
  Seconds base = 1.0;
  // Largest ceiling. Default: 60 s.
  Seconds cap = 60.0;
};

class Backoff {
 public:
  explicit Backoff(BackoffPolicy policy, std::uint64_t seed = std::random_device{}());

  // The delay before retry number `attempt` (1 for the first retry). A
  // `retry_after` from the service is honoured as a minimum.
  Seconds Delay(int attempt, std::optional<Seconds> retry_after = std::nullopt);

  // The ceiling for `attempt`, before jitter.
  Seconds Ceiling(int attempt) const;

 private:
  BackoffPolicy policy_;
  std::mt19937_64 rng_;
};

}  // namespace gridbatch::ratelimit
