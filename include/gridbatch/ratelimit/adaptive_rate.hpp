// `--rate auto[:MAX]`: finds a submit rate the service accepts when its
// limit is unknown, the way TCP finds a link's capacity. Pure: the caller
// passes the time and reports each 429; the run loop sets its token bucket's
// rate from Rate().
//
//   slow start  from start_rate, the rate doubles every second until the
//               first 429 (so an unknown limit is reached in a few seconds);
//   increase    after it, the rate grows by increase_per_second every
//               second without a 429;
//   decrease    the first 429 halves the rate (slow start overshoots by up
//               to a second's doubling); each later one multiplies it by
//               decrease_factor, once for the
//               whole cluster of 429s it belongs to (replies to submits sent
//               at the old rate keep coming for a moment), and nothing grows
//               until its Retry-After (at least 1 s) has passed;
//   bounds      never above max_rate, never below min_rate.
#pragma once

#include <optional>

#include "gridbatch/clock.hpp"

namespace gridbatch::ratelimit {

struct AdaptiveRateOptions {
  // Submits per second never exceeded. Default: 100.
  double max_rate = 100;
  // The first rate; 0: min(max_rate, 5). Default: 0.
  double start_rate = 0;
  // The floor. Default: 0.5 per second.
  double min_rate = 0.5;
  // Additive increase, per second without a 429, after the first 429.
  // Default: 1 (submit per second, per second).
  double increase_per_second = 1;
  // Multiplicative decrease on a 429. Default: 0.85.
  double decrease_factor = 0.85;
};

class AdaptiveRate {
 public:
  AdaptiveRate(AdaptiveRateOptions options, Seconds now);

  // The rate to pace submits at, at `now` (not earlier than the last call).
  double Rate(Seconds now);

  // A submit was answered 429 at `now`, with the reply's Retry-After if any.
  void OnThrottled(Seconds now, std::optional<Seconds> retry_after);

  // Nothing grows before this (the last 429's Retry-After, at least 1 s).
  Seconds hold_until() const { return hold_until_; }
  bool slow_start() const { return slow_start_; }
  int decreases() const { return decreases_; }

 private:
  void Grow(Seconds now);

  AdaptiveRateOptions options_;
  double rate_;
  Seconds last_;
  Seconds hold_until_ = 0;
  bool slow_start_ = true;
  int decreases_ = 0;
};

}  // namespace gridbatch::ratelimit
