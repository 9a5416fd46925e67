// What `gridbatch status` shows: how many jobs each batch has per model and
// state, the jobs left in `submitting` (a crash between marking and sending
// leaves their fate unknown), and the most recent distinct errors. Built by
// one read of the job store; `gridbatch status` renders it (src/cli/status_format.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gridbatch/job_state.hpp"
#include "gridbatch/store/job_store.hpp"

namespace gridbatch::store {

using gridbatch::StateCounts;

struct ModelStatus {
  std::string model;
  StateCounts counts;
  // The last run's circuit breaker held this model's jobs (they wait,
  // pending): the service's answer, and when. Empty when not held.
  std::string held_reason;
  std::string held_at;
};

struct BatchStatus {
  std::string name;
  std::string app;
  std::optional<double> hours;
  std::string manifest_path;        // empty when unknown
  std::string updated_at;           // last load, ISO-8601 UTC
  std::vector<ModelStatus> models;  // by model name
  StateCounts counts;               // the sum over models
};

// A job marked `submitting` whose submit may or may not have reached the service.
struct UncertainJob {
  std::string batch;
  std::string prompt_id;
  std::string model;
  int repeat_index = 0;
  int attempts = 0;
  std::string updated_at;
};

struct ErrorSummary {
  std::string error;       // jobs.last_error, verbatim
  std::uint64_t jobs = 0;  // jobs whose last error it is
  std::string last_seen;   // the latest updated_at among them
};

struct StatusReport {
  std::vector<BatchStatus> batches;  // by name; batches without jobs included
  StateCounts totals;
  std::uint64_t uncertain_count = 0;        // all jobs in `submitting`
  std::vector<UncertainJob> uncertain;      // the first few of them
  std::vector<ErrorSummary> recent_errors;  // most recent first
};

struct StatusOptions {
  // Only this batch. Default: every batch.
  std::optional<std::string> batch;
  // How many uncertain jobs and distinct errors to list. Default: 10 and 5.
  std::size_t max_uncertain = 10;
  std::size_t max_errors = 5;
};

// Reads the report in one read transaction (a consistent snapshot while a
// run writes). An unknown options.batch throws gridbatch::Error(kExitUsage)
// naming the batches that exist; database failures throw gridbatch::Error.
// Errors counted are those of jobs not completed (a completed job's old
// error is history, not a problem).
StatusReport BuildStatusReport(JobStore& store, const StatusOptions& options = {});

}  // namespace gridbatch::store
