// Reading the jobs of one prompt for `gridbatch show`.
#include "gridbatch/store/job_details.hpp"

#include <algorithm>

#include "batch_lookup.hpp"
#include "gridbatch/error.hpp"
#include "job_store_impl.hpp"

namespace gridbatch::store {
namespace {

// jobs_prompt (batch_id, prompt_id, ...) finds the prompt in each batch;
// IN (SELECT id FROM batches) lets a query without --batch use it too.
constexpr const char* kSelectJobs = R"sql(
  SELECT b.name, j.prompt_id, j.model, j.repeat_index, j.prompt, j.vars, s.state, s.remote_id,
         s.remote_status, s.vm_status, s.attempts, s.last_error, s.previous_error, j.created_at,
         s.submitted_at, s.finished_at, s.updated_at, j.runtime, j.output
  FROM jobs AS j INDEXED BY jobs_prompt
  JOIN job_state AS s ON s.job_id = j.id JOIN batches AS b ON b.id = j.batch_id
  WHERE j.batch_id IN (SELECT id FROM batches WHERE ?2 IS NULL OR id = ?2) AND j.prompt_id = ?1
  ORDER BY j.batch_id, j.id)sql";

std::optional<std::string> Nullable(const SQLite::Column& column) {
  if (column.isNull()) return std::nullopt;
  return column.getString();
}

std::optional<std::int64_t> NullableInt(const SQLite::Column& column) {
  if (column.isNull()) return std::nullopt;
  return column.getInt64();
}

JobDetails ReadJob(SQLite::Statement& q) {
  JobDetails job;
  job.batch = q.getColumn(0).getString();
  job.prompt_id = q.getColumn(1).getString();
  job.model = q.getColumn(2).getString();
  job.repeat = q.getColumn(3).getInt64();
  job.prompt = q.getColumn(4).getString();
  job.vars = Nullable(q.getColumn(5));
  job.state = q.getColumn(6).getString();
  job.remote_id = Nullable(q.getColumn(7));
  job.remote_status = Nullable(q.getColumn(8));
  job.vm_status = Nullable(q.getColumn(9));
  job.attempts = q.getColumn(10).getInt64();
  job.error = Nullable(q.getColumn(11));
  job.previous_error = Nullable(q.getColumn(12));
  job.created = q.getColumn(13).getString();
  job.submitted_at = Nullable(q.getColumn(14));
  job.finished_at = Nullable(q.getColumn(15));
  job.updated_at = q.getColumn(16).getString();
  job.runtime = NullableInt(q.getColumn(17));
  job.output = Nullable(q.getColumn(18));
  return job;
}

// "a, b, c": the distinct values of `field` over `jobs`, in their order.
template <typename Field>
std::string Distinct(const std::vector<JobDetails>& jobs, Field field) {
  std::vector<std::string> seen;
  for (const JobDetails& job : jobs) {
    if (std::find(seen.begin(), seen.end(), job.*field) == seen.end()) seen.push_back(job.*field);
  }
  std::string names;
  for (const std::string& name : seen) names += (names.empty() ? "" : ", ") + name;
  return names;
}

std::vector<JobDetails> Select(JobStore& store, const PromptQuery& query) {
  SQLite::Database& db = store.impl().db;
  std::optional<std::int64_t> batch_id;
  if (query.batch) batch_id = RequireBatchId(db, store.path(), *query.batch);
  SQLite::Statement select(db, kSelectJobs);
  select.bind(1, query.prompt_id);
  if (batch_id) {
    select.bind(2, *batch_id);
  } else {
    select.bind(2);
  }
  std::vector<JobDetails> jobs;
  while (select.executeStep()) jobs.push_back(ReadJob(select));
  return jobs;
}

// The usage errors: what was asked for and is not there.
void CheckFound(const std::string& path, const PromptQuery& query,
                const std::vector<JobDetails>& jobs) {
  const std::string prompt = "prompt '" + query.prompt_id + "'";
  if (jobs.empty()) {
    throw Error(kExitUsage,
                "database " + path + ": no " + prompt +
                    (query.batch ? " in batch '" + *query.batch + "'" : " in any batch"));
  }
  if (!query.batch && jobs.front().batch != jobs.back().batch) {
    throw Error(kExitUsage, "database " + path + ": " + prompt + " is in several batches (" +
                                Distinct(jobs, &JobDetails::batch) + "); choose one with --batch");
  }
}

}  // namespace

std::vector<JobDetails> ReadPromptJobs(JobStore& store, const PromptQuery& query) {
  std::vector<JobDetails> jobs;
  try {
    SQLite::Transaction snapshot(store.impl().db, SQLite::TransactionBehavior::DEFERRED);
    jobs = Select(store, query);
    snapshot.commit();
  } catch (const SQLite::Exception& e) {
    RethrowStoreError(store.path(), "read prompt '" + query.prompt_id + "'", e);
  }
  CheckFound(store.path(), query, jobs);
  if (!query.model) return jobs;
  std::vector<JobDetails> on_model;
  for (JobDetails& job : jobs) {
    if (job.model == *query.model) on_model.push_back(std::move(job));
  }
  if (on_model.empty()) {
    throw Error(kExitUsage, "database " + store.path() + ": prompt '" + query.prompt_id +
                                "' of batch '" + jobs.front().batch + "' has no job on model '" +
                                *query.model + "' (models: " + Distinct(jobs, &JobDetails::model) +
                                ")");
  }
  return on_model;
}

}  // namespace gridbatch::store
