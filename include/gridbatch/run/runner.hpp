// The run loop: one thread, one libcurl multi event loop. It claims due
// pending jobs (committed as `submitting` before the POST goes out), submits
// them paced by a token bucket with at most max_in_flight outstanding, polls
// in-flight ids in batched GETs, and writes every outcome back in short
// transactions, until every job in scope is final or it is told to stop.
//
// Borrows everything it is given; nothing it holds grows with the number of
// jobs in the database.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gridbatch/api/api_client.hpp"
#include "gridbatch/clock.hpp"
#include "gridbatch/http/http_client.hpp"
#include "gridbatch/job_state.hpp"
#include "gridbatch/run/job_policy.hpp"
#include "gridbatch/run/run_options.hpp"
#include "gridbatch/store/job_store.hpp"

namespace gridbatch::run {

// What the loop reports, for the progress display.
struct Progress {
  StateCounts counts{};
  std::int64_t submits = 0;        // POSTs answered with an id this run
  std::int64_t submits_sent = 0;   // POSTs sent this run, refused and failed ones included
  std::int64_t finished = 0;       // jobs that became final this run
  std::int64_t poll_requests = 0;  // status GETs sent this run
  std::int64_t in_flight_submits = 0;
  Seconds started = 0;
  Seconds now = 0;
};

class Reporter {
 public:
  virtual ~Reporter() = default;
  // Called every loop turn; the reporter decides when to print.
  virtual void Tick(const Progress& progress) = 0;
  // A message for the user (warnings, verbose request logs). No token ever.
  virtual void Log(const std::string& message) = 0;
  virtual void Finish(const Progress& progress) = 0;
};

struct RunResult {
  StateCounts counts{};
  std::int64_t uncertain = 0;  // rows found `submitting` at start
  bool interrupted = false;    // stopped before every job was final
  bool auth_failed = false;    // the service refused the token
  std::string auth_error;
  // The circuit breaker stopped the run (job_policy.hpp, Trip).
  std::optional<Trip> tripped;
  // Models it held, and how many of their jobs are pending at the end.
  std::vector<Hold> held;
  std::int64_t held_jobs = 0;
  Progress progress;
};

class Runner {
 public:
  Runner(store::JobStore& store, http::Client& http, api::Client& api, const Clock& clock,
         Reporter& reporter, RunOptions options);
  ~Runner();

  // Runs until every job in scope is final, the token is refused, or
  // `stop_requests` becomes non-zero (then it stops dispatching, waits up to
  // stop_grace for replies already on the wire, records them, and returns).
  RunResult Run(const std::atomic<int>& stop_requests);

 private:
  class Loop;
  store::JobStore& store_;
  http::Client& http_;
  api::Client& api_;
  const Clock& clock_;
  Reporter& reporter_;
  RunOptions options_;
};

}  // namespace gridbatch::run
