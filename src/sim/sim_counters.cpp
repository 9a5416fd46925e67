#include "sim_counters.hpp"

#include <nlohmann/json.hpp>

namespace gridbatch::sim {

SimCounters::InFlight::InFlight(SimCounters& counters) : counters_(counters) {
  const std::uint64_t now = counters_.in_flight_.fetch_add(1) + 1;
  std::uint64_t peak = counters_.peak_concurrent_requests.load();
  while (now > peak && !counters_.peak_concurrent_requests.compare_exchange_weak(peak, now)) {
  }
}

SimCounters::InFlight::~InFlight() {
  counters_.in_flight_.fetch_sub(1);
}

Counters SimCounters::Snapshot(std::uint64_t jobs) const {
  Counters c;
  c.submits_accepted = submits_accepted.load();
  c.duplicate_submits = duplicate_submits.load();
  c.submits_rejected = submits_rejected.load();
  c.gets = gets.load();
  c.ids_polled = ids_polled.load();
  c.sent_429 = sent_429.load();
  c.sent_5xx = sent_5xx.load();
  c.resets = resets.load();
  c.truncated = truncated.load();
  c.omitted = omitted.load();
  c.peak_concurrent_requests = peak_concurrent_requests.load();
  c.requests = requests.load();
  c.unauthorized = unauthorized.load();
  c.rate_limited = rate_limited.load();
  c.jobs = jobs;
  return c;
}

void SimCounters::Reset() {
  for (auto* counter : {&submits_accepted, &duplicate_submits, &submits_rejected, &gets,
                        &ids_polled, &sent_429, &sent_5xx, &resets, &truncated, &omitted,
                        &peak_concurrent_requests, &requests, &unauthorized, &rate_limited}) {
    counter->store(0);
  }
}

std::string CountersJson(const Counters& c) {
  nlohmann::ordered_json j;
  j["submits_accepted"] = c.submits_accepted;
  j["duplicate_submits"] = c.duplicate_submits;
  j["submits_rejected"] = c.submits_rejected;
  j["gets"] = c.gets;
  j["ids_polled"] = c.ids_polled;
  j["sent_429"] = c.sent_429;
  j["sent_5xx"] = c.sent_5xx;
  j["resets"] = c.resets;
  j["truncated"] = c.truncated;
  j["omitted"] = c.omitted;
  j["peak_concurrent_requests"] = c.peak_concurrent_requests;
  j["requests"] = c.requests;
  j["unauthorized"] = c.unauthorized;
  j["rate_limited"] = c.rate_limited;
  j["jobs"] = c.jobs;
  return j.dump();
}

}  // namespace gridbatch::sim
