// Shared by the store's tests: a temporary directory and short ways to make
// jobs and to read rows back with plain SQL.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "gridbatch/job_spec.hpp"
#include "gridbatch/store/batch_loader.hpp"
#include "test_files.hpp"

namespace gridbatch::store::testing {

using gridbatch::testing::TempDir;

inline JobSpec Job(std::string prompt_id, std::string model, std::string prompt = "",
                   int repeat_index = 0) {
  JobSpec job;
  job.prompt = prompt.empty() ? "prompt " + prompt_id : std::move(prompt);
  job.prompt_id = std::move(prompt_id);
  job.model = std::move(model);
  job.repeat_index = repeat_index;
  return job;
}

inline BatchSpec Batch(std::string name) {
  BatchSpec batch;
  batch.name = std::move(name);
  return batch;
}

inline LoadCounts Load(JobStore& store, const BatchSpec& batch, const std::vector<JobSpec>& jobs,
                       LoadOptions options = {}) {
  BatchLoader loader(store, batch, SystemClock::Instance(), options);
  for (const auto& job : jobs) loader.Add(job);
  return loader.Commit();
}

// The first column of the first row of `sql`, as text ("" for NULL), read
// through a connection of its own.
inline std::string QueryText(const std::string& db_path, const std::string& sql) {
  SQLite::Database db(db_path, SQLite::OPEN_READONLY);
  SQLite::Statement query(db, sql);
  if (!query.executeStep()) return "(no row)";
  return query.getColumn(0).isNull() ? std::string() : query.getColumn(0).getString();
}

inline std::int64_t QueryInt(const std::string& db_path, const std::string& sql) {
  SQLite::Database db(db_path, SQLite::OPEN_READONLY);
  return db.execAndGet(sql).getInt64();
}

inline void Exec(const std::string& db_path, const std::string& sql) {
  SQLite::Database db(db_path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db.exec(sql);
}

}  // namespace gridbatch::store::testing
