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

#include "gridbatch/api_client.hpp"
#include "gridbatch/backoff.hpp"
#include "gridbatch/clock.hpp"
#include "gridbatch/http_client.hpp"
#include "gridbatch/job_store.hpp"
#include "gridbatch/run_queue.hpp"
#include "gridbatch/status_map.hpp"

namespace gridbatch::run {

struct RunOptions {
  // Only this batch; default: every job in the database.
  std::optional<std::string> batch;
  // Submits per second; 0: unlimited. Default: 20.
  double rate_per_second = 20;
  // Token bucket size; 0: ratelimit::DefaultBurst(rate).
  double burst = 0;
  // Submits outstanding at once. Default: 64.
  int max_in_flight = 64;
  // Submits per job before it fails with its last error. Default: 5.
  int max_attempts = 5;
  ratelimit::BackoffPolicy backoff;
  // How often each in-flight job is polled. Default: 5 s.
  Seconds poll_interval = 5;
  // Ids per status GET. Default: 100.
  int poll_batch = 100;
  // Status GETs outstanding at once. Default: 8.
  int max_poll_requests = 8;
  // An id left out of replies for this long is resubmitted or failed.
  Seconds missing_grace = 120;
  enum class MissingPolicy { kResubmit, kFail };
  MissingPolicy on_missing = MissingPolicy::kResubmit;
  // Rows an interrupted run left `submitting`: submit again (default) or fail.
  enum class UncertainPolicy { kResubmit, kFail };
  UncertainPolicy on_uncertain = UncertainPolicy::kResubmit;
  // A job not final by submitted + hours + slack fails. hours defaults to 1
  // when the batch sets none.
  double default_hours = 1;
  Seconds deadline_slack = 600;
  // After the first stop request, wait at most this long for replies on the wire.
  Seconds stop_grace = 5;
  StatusMap statuses;
  // Log every request's outcome (never the token).
  bool verbose = false;
  std::uint64_t seed = 0;  // 0: random backoff jitter
};

// What the loop reports, for the progress display.
struct Progress {
  store::StateCounts counts{};
  std::int64_t submits = 0;        // POSTs answered with an id this run
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
  store::StateCounts counts{};
  std::int64_t uncertain = 0;  // rows found `submitting` at start
  bool interrupted = false;    // stopped before every job was final
  bool auth_failed = false;    // the service refused the token
  std::string auth_error;
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
