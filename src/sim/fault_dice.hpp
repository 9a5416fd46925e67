// FaultDice decides, per request, which faults the simulator injects. Every
// roll draws the same number of values from one seeded generator, so a run
// whose requests arrive in the same order injects the same faults.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <random>

#include "sim_server.hpp"

namespace gridbatch::sim {

struct FaultRoll {
  bool reset = false;      // hang up without a reply
  bool too_many = false;   // 429
  int server_error = 0;    // 500, 502 or 503; 0: none
  bool slow = false;       // sleep before replying
  bool truncated = false;  // cut the JSON body in half
  bool omit = false;       // leave one known id out of a status reply
  std::uint64_t pick = 0;  // which id to omit, which 5xx to send
};

class FaultDice {
 public:
  FaultDice(std::uint64_t seed, const Faults& faults);

  FaultRoll Roll();
  void SetFaults(const Faults& faults);
  Faults faults() const;

 private:
  mutable std::mutex mutex_;
  std::mt19937_64 rng_;
  Faults faults_;
};

}  // namespace gridbatch::sim
