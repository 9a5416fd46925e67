// The store side of `gridbatch export`: reads the jobs a user asked for, one
// row at a time, from one consistent snapshot of the database, so an export
// taken while a `run` is writing sees every job as of one instant and never
// holds more than one row in memory.
//
// ExportRow is a view: its strings point into SQLite's buffers and are valid
// only during the callback that receives them. The export module turns rows
// into CSV or JSONL without knowing where they came from.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gridbatch/clock.hpp"
#include "gridbatch/job_state.hpp"

namespace gridbatch::store {

class JobStore;

// Which jobs to export. Within one field the values are alternatives (OR);
// the fields combine with AND. An empty field does not filter. (The `{}`s
// let designated initializers leave fields out without a warning.)
struct ExportFilter {
  std::vector<std::string> batches{};  // batch names
  std::vector<std::string> models{};
  std::vector<JobState> states{};
  // Only rows whose updated_at is at or after this time. Compared at
  // millisecond precision, the precision of the stored timestamps.
  std::optional<Seconds> since{};
};

// One job as exported. Text fields are nullopt where the column is NULL.
struct ExportRow {
  std::string_view batch;
  std::string_view prompt_id;
  std::string_view model;
  std::string_view prompt;
  std::string_view state;
  std::optional<std::string_view> output;
  std::optional<std::int64_t> runtime;
  std::optional<std::string_view> remote_id;
  std::int64_t attempts = 0;
  // job_state.last_error: why the job failed, or what the last attempt
  // ran into while it is not final; never set on a completed job.
  std::optional<std::string_view> error;
  // job_state.previous_error: the error of an earlier attempt of a job
  // that then completed (a 429 before the submit that worked).
  std::optional<std::string_view> previous_error;
  std::string_view created;  // jobs.created_at
  std::optional<std::string_view> submitted_at;
  std::optional<std::string_view> finished_at;
  std::int64_t repeat = 0;  // jobs.repeat_index
  // The sweep variables as the JSON object text stored with the job.
  std::optional<std::string_view> vars;
};

// One prompt and repeat across its models, for `export --wide`: the jobs
// of one (batch, prompt id, repeat index) that the filter selects, at most
// one per model. Owns its strings (a group is read before it is passed on).
struct WideRow {
  struct Job {
    std::string model;
    std::string state;
    std::optional<std::string> output;
    std::optional<std::int64_t> runtime;
    std::optional<std::string> error;  // job_state.last_error
  };
  std::string batch;
  std::string prompt_id;
  std::int64_t repeat = 0;
  // The prompt and variables of the group's latest loaded job (they are the
  // same for every job of the group unless the manifest changed them).
  std::string prompt;
  std::optional<std::string> vars;
  std::vector<Job> jobs;  // by model name; if a model has two jobs, the later loaded
};

// Reads one snapshot of the jobs table. Construction starts a read
// transaction that lasts until the reader is destroyed: every query in
// between sees the same data, while a writer on another connection carries on
// (WAL). Borrows `store`, which must outlive the reader; one reader per store
// at a time. A filter's batch or model that no job has throws
// gridbatch::Error(kExitUsage) naming the known ones; database failures throw
// gridbatch::Error (kExitIoErr, or kExitTempFail when the database is locked).
class ExportReader {
 public:
  ExportReader(JobStore& store, ExportFilter filter);
  ~ExportReader();
  ExportReader(const ExportReader&) = delete;
  ExportReader& operator=(const ExportReader&) = delete;

  // The names of the sweep variables of the matching jobs, sorted by byte
  // value, without duplicates.
  std::vector<std::string> VariableNames();

  // Calls `on_row` for each matching job, in the order the jobs were loaded,
  // and returns how many there were. An exception from `on_row` stops the
  // reading and propagates.
  std::int64_t ForEachRow(const std::function<void(const ExportRow&)>& on_row);

  // The models of the matching jobs, in the order they were first loaded.
  std::vector<std::string> Models();

  // Calls `on_row` for each (batch, prompt id, repeat) among the matching
  // jobs: batches in the order they were created, then prompt ids by byte
  // value, then repeats. Streams through an index: memory holds one group,
  // whatever the number of jobs. Returns the number of groups. An exception
  // from `on_row` stops the reading and propagates.
  std::int64_t ForEachWideRow(const std::function<void(const WideRow&)>& on_row);

 private:
  JobStore& store_;
  ExportFilter filter_;
};

}  // namespace gridbatch::store
