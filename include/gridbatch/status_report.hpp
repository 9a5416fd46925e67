// What `gridbatch status` shows: how many jobs each batch has per model and
// state, the jobs left in `submitting` (a crash between marking and sending
// leaves their fate unknown), and the most recent distinct errors. Built by
// one read of the job store; rendered as a table for people or as JSON for
// scripts.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "gridbatch/job_state.hpp"
#include "gridbatch/job_store.hpp"

namespace gridbatch::store {

inline constexpr std::size_t kJobStateCount = std::size(kAllJobStates);

// Job counts indexed by static_cast<size_t>(JobState).
struct StateCounts {
  std::uint64_t by_state[kJobStateCount] = {};
  std::uint64_t Total() const;
  std::uint64_t& operator[](JobState state) { return by_state[static_cast<std::size_t>(state)]; }
  std::uint64_t operator[](JobState state) const {
    return by_state[static_cast<std::size_t>(state)];
  }
};

struct ModelStatus {
  std::string model;
  StateCounts counts;
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

// A plain-text table for people.
void WriteStatusText(const StatusReport& report, std::ostream& out);

// One JSON object for scripts (shape in src/cli/status_command.cpp's help and
// docs/STORE.md).
void WriteStatusJson(const StatusReport& report, std::ostream& out);

}  // namespace gridbatch::store
