// What `gridbatch show` prints: everything the store knows about the jobs of
// one prompt (one job per model and repeat), read in one snapshot, rendered
// as text for an 80-column terminal or as JSON for scripts.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace gridbatch::store {

class JobStore;

// One job, its columns as stored; nullopt where a column is NULL.
struct JobDetails {
  std::string batch;
  std::string prompt_id;
  std::string model;
  std::int64_t repeat = 0;
  std::string prompt;
  std::optional<std::string> vars;  // the JSON object text of the sweep variables
  std::string state;
  std::optional<std::string> remote_id;
  std::optional<std::string> remote_status;  // the service's status, as it spelled it
  std::optional<std::string> vm_status;
  std::int64_t attempts = 0;
  std::optional<std::string> error;           // job_state.last_error
  std::optional<std::string> previous_error;  // an earlier attempt's, once completed
  std::string created;                        // when it was loaded
  std::optional<std::string> submitted_at;
  std::optional<std::string> finished_at;
  std::string updated_at;               // its last change
  std::optional<std::int64_t> runtime;  // seconds, as the service reported them
  std::optional<std::string> output;
};

struct PromptQuery {
  std::string prompt_id;
  std::optional<std::string> batch{};  // needed when the id is in several batches
  std::optional<std::string> model{};  // only this model's jobs
};

// The jobs of the prompt, by model (in load order) and repeat. Throws
// gridbatch::Error(kExitUsage), naming what is missing and what exists, for
// an unknown batch, a prompt id found nowhere (or not in the batch), an id in
// several batches without query.batch, or a model the prompt has no job on;
// other database failures throw gridbatch::Error.
std::vector<JobDetails> ReadPromptJobs(JobStore& store, const PromptQuery& query);

// `jobs` (from ReadPromptJobs, not empty) as text: the prompt and its
// variables once, a table with one line per job, then each job's details
// and output.
void WritePromptJobsText(const std::vector<JobDetails>& jobs, std::ostream& out);

// As one JSON object: {"batch", "prompt_id", "jobs": [{...}, ...]}; see
// `gridbatch show --help`.
void WritePromptJobsJson(const std::vector<JobDetails>& jobs, std::ostream& out);

}  // namespace gridbatch::store
