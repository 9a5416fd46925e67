// The rows an export writes: one job (ExportRow), or one prompt and repeat
// across its models (WideRow). Neutral types: the store reads them
// (gridbatch/store/export_reader.hpp), the export module writes them, and
// neither needs the other.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gridbatch {

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

}  // namespace gridbatch
