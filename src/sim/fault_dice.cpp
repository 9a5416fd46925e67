#include "fault_dice.hpp"

namespace gridbatch::sim {
namespace {

constexpr int kServerErrors[] = {500, 502, 503};

}  // namespace

FaultDice::FaultDice(std::uint64_t seed, const Faults& faults) : rng_(seed), faults_(faults) {}

FaultRoll FaultDice::Roll() {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::lock_guard lock(mutex_);
  // Draw everything first, so each roll consumes the same amount of the
  // stream whatever the probabilities are.
  double u[6];
  for (double& value : u) value = unit(rng_);
  const std::uint64_t pick = rng_();
  FaultRoll roll;
  roll.reset = u[0] < faults_.p_reset;
  roll.too_many = u[1] < faults_.p_429;
  roll.server_error = u[2] < faults_.p_5xx ? kServerErrors[pick % 3] : 0;
  roll.slow = u[3] < faults_.p_slow;
  roll.truncated = u[4] < faults_.p_truncated;
  roll.omit = u[5] < faults_.p_omit;
  roll.pick = pick;
  return roll;
}

void FaultDice::SetFaults(const Faults& faults) {
  std::lock_guard lock(mutex_);
  faults_ = faults;
}

Faults FaultDice::faults() const {
  std::lock_guard lock(mutex_);
  return faults_;
}

}  // namespace gridbatch::sim
