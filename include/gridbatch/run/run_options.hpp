// What a run is told: pacing, retries, polling, deadlines and the status
// spellings. Every default is written here once; the command line takes its
// defaults from a default-constructed RunOptions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "gridbatch/clock.hpp"
#include "gridbatch/ratelimit/backoff.hpp"
#include "gridbatch/run/status_map.hpp"

namespace gridbatch::run {

struct RunOptions {
  // Only this batch; default: every job in the database.
  std::optional<std::string> batch;
  // Submits per second; 0: unlimited. Default: 20.
  double rate_per_second = 20;
  // Token bucket size; 0: ratelimit::DefaultBurst(rate).
  double burst = 0;
  // `--rate auto[:MAX]`: the rate is found by ratelimit::AdaptiveRate and
  // never exceeds this; rate_per_second is then where it starts. nullopt:
  // the fixed rate_per_second.
  std::optional<double> auto_rate_max;
  // Submit at most this many of the jobs pending at the start (the first in
  // claim order, so spread over the models), drive them to final states and
  // stop; nullopt: all of them.
  std::optional<std::int64_t> limit;
  // Submits outstanding at once. Default: 64.
  int max_in_flight = 64;
  // Submits per job before it fails with its last error. Default: 5.
  int max_attempts = 5;
  // The circuit breaker: this many submits in a row refused the same way
  // (connection refused, no such host, TLS, a 4xx, the same success:false
  // error) stop the run, or hold one model when only its submits are
  // refused; the jobs go back to pending with their attempts undone. Until
  // a model has had a submit accepted, at most this many of its submits are
  // out at once. 0: off (each refused job fails on its own). Default: 5.
  int breaker_after = 5;
  ratelimit::BackoffPolicy backoff;
  // How in-flight jobs are polled. kAdaptive (the default): each job's next
  // poll comes from what the run has seen of its model's finish times
  // (run::PollSchedule): its first poll near when a job of that model could
  // plausibly be done, polls as often as poll_interval / 10 around the
  // model's typical finish, and waits growing up to poll_max elsewhere;
  // before anything of a model has been seen, a few of its jobs are polled
  // from poll_interval on and the rest wait for them. kFixed: every job
  // every poll_interval (`--poll-fixed`), for users watching partial logs.
  enum class PollMode { kAdaptive, kFixed };
  PollMode poll_mode = PollMode::kAdaptive;
  // kFixed: how often each in-flight job is polled. kAdaptive: the first
  // poll's delay before anything is known, and ten times the shortest
  // wait between polls. Default: 5 s.
  Seconds poll_interval = 5;
  // kAdaptive: the longest wait between two polls of a job (never less
  // than poll_interval). Default: 60 s.
  Seconds poll_max = 60;
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

}  // namespace gridbatch::run
