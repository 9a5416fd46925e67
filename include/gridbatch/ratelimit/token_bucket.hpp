// Pacing for submits: a token bucket that refills at a steady rate, and can
// be paused (a Retry-After from the service stops all dispatch for a while).
// Pure: the caller passes the time, so tests run in microseconds.
#pragma once

#include "gridbatch/clock.hpp"

namespace gridbatch::ratelimit {

class TokenBucket {
 public:
  // `rate_per_second` <= 0 means unlimited. `burst` is the bucket's size
  // (at least 1). It starts with one token, not full, and refills from the
  // first take (not from `now`): a server that limits at the same rate and
  // burst then keeps burst - 1 tokens of slack for requests that reach it
  // bunched (the first ones late, while their connections are set up), so
  // this pacing alone never draws a 429 from it.
  TokenBucket(double rate_per_second, double burst, Seconds now);

  // Takes one token if one is available at `now`.
  bool TryTake(Seconds now);

  // Returns `count` tokens taken but not used (never beyond the burst).
  void GiveBack(int count);

  // The earliest time a token will be available (now if one is).
  Seconds NextAvailable(Seconds now) const;

  // No tokens before `until`; the bucket restarts from one token then, so a
  // pause is not followed by a burst that would trip the limit again.
  void PauseUntil(Seconds until);

  // Refills at `rate_per_second` from `now` on; tokens gathered until then
  // are kept (the `--rate auto` controller moves the rate every turn).
  void SetRate(double rate_per_second, Seconds now);

  bool unlimited() const { return rate_ <= 0; }
  double rate() const { return rate_; }
  Seconds paused_until() const { return paused_until_; }

 private:
  void Refill(Seconds now);

  double rate_;
  double burst_;
  double tokens_;
  Seconds last_;
  Seconds paused_until_ = 0;
  bool started_ = false;  // a token has been taken, or a pause set
};

// The default burst for a rate: enough to keep pace when the loop wakes a few
// times a second late, small enough not to overshoot a server-side limit.
double DefaultBurst(double rate_per_second);

}  // namespace gridbatch::ratelimit
