// The simulator's counters, bumped from many server threads at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "sim_server.hpp"

namespace gridbatch::sim {

class SimCounters {
 public:
  std::atomic<std::uint64_t> submits_accepted{0}, duplicate_submits{0}, submits_rejected{0},
      gets{0}, ids_polled{0}, sent_429{0}, sent_5xx{0}, resets{0}, truncated{0}, omitted{0},
      peak_concurrent_requests{0}, requests{0}, unauthorized{0}, rate_limited{0};

  // Marks a request as being handled until the guard goes away, and keeps
  // the peak of how many were at once.
  class InFlight {
   public:
    explicit InFlight(SimCounters& counters);
    ~InFlight();
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;

   private:
    SimCounters& counters_;
  };

  Counters Snapshot(std::uint64_t jobs) const;
  void Reset();

 private:
  std::atomic<std::uint64_t> in_flight_{0};
};

std::string CountersJson(const Counters& counters);

}  // namespace gridbatch::sim
