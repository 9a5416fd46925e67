#include "gridbatch/ratelimit/adaptive_rate.hpp"

#include <algorithm>
#include <cmath>

namespace gridbatch::ratelimit {
namespace {

// The shortest hold after a decrease: 429s for submits sent before the
// decrease arrive within about one round trip, and belong to the same
// cluster.
constexpr Seconds kMinHold = 1.0;

}  // namespace

AdaptiveRate::AdaptiveRate(AdaptiveRateOptions options, Seconds now)
    : options_(options), last_(now) {
  options_.max_rate = std::max(options_.max_rate, options_.min_rate);
  const double start =
      options_.start_rate > 0 ? options_.start_rate : std::min(options_.max_rate, 5.0);
  rate_ = std::clamp(start, options_.min_rate, options_.max_rate);
}

void AdaptiveRate::Grow(Seconds now) {
  const Seconds from = std::max(last_, hold_until_);
  if (now > from) {
    const Seconds elapsed = now - from;
    rate_ =
        slow_start_ ? rate_ * std::exp2(elapsed) : rate_ + options_.increase_per_second * elapsed;
    rate_ = std::min(rate_, options_.max_rate);
  }
  last_ = std::max(last_, now);
}

double AdaptiveRate::Rate(Seconds now) {
  Grow(now);
  return rate_;
}

void AdaptiveRate::OnThrottled(Seconds now, std::optional<Seconds> retry_after) {
  Grow(now);
  const Seconds hold = now + std::max(kMinHold, retry_after.value_or(0));
  if (now < hold_until_) {
    // The same cluster: wait longer if asked, but cut only once.
    hold_until_ = std::max(hold_until_, hold);
    return;
  }
  // Slow start overshoots by up to a second's doubling: leave it by halving.
  const double factor = slow_start_ ? 0.5 : options_.decrease_factor;
  slow_start_ = false;
  ++decreases_;
  rate_ = std::max(options_.min_rate, rate_ * factor);
  hold_until_ = hold;
}

}  // namespace gridbatch::ratelimit
