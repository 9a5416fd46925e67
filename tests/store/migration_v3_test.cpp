// Upgrading a database from schema version 2 to version 3
// (schemas/migrations/003_results.sql): a completed job's error moves to
// previous_error, and the `results` view appears. The version-2 file is
// built from 001 and 002 as the source tree has them and filled the way
// the version-2 loader and run loop left it: content keys as the loader
// makes them, every variable stored as a string, and a completed job that
// kept the error of an earlier attempt.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "content_key.hpp"
#include "gridbatch/store/batch_loader.hpp"
#include "gridbatch/store/export_reader.hpp"
#include "gridbatch/store/job_store.hpp"
#include "store_test_util.hpp"

namespace gridbatch::store {
namespace {

using gridbatch::testing::ReadFile;
using testing::Batch;
using testing::Job;
using testing::Load;
using testing::QueryInt;
using testing::QueryText;
using testing::TempDir;

const std::filesystem::path kMigrationsDir =
    std::filesystem::path(GRIDBATCH_SOURCE_DIR) / "schemas" / "migrations";

// The jobs of the version-2 file, as JobSpecs of today's manifest module
// would give them again.
std::vector<JobSpec> Jobs() {
  std::vector<JobSpec> jobs;
  const char* const models[] = {"gemma:2b", "llama3:8b", "phi3:mini"};
  for (const char* model : models) {
    JobSpec job = Job("river-1", model, "Which river flows through Paris?");
    job.vars = {{"city", "Paris"}, {"words", "20", VarType::kNumber}, {"expected", "Seine"}};
    jobs.push_back(job);
  }
  return jobs;
}

class MigrationV3Test : public ::testing::Test {
 protected:
  void SetUp() override {
    SQLite::Database db(path_, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec(ReadFile(kMigrationsDir / "001_initial.sql"));
    db.exec(ReadFile(kMigrationsDir / "002_job_state.sql"));
    db.exec("PRAGMA user_version = 2");
    db.exec(
        "INSERT INTO batches (id, name, app, created_at, updated_at, load_serial) "
        "VALUES (1, 'rivers', 'gridrepublic:text-inference', '2024-01-01T00:00:00Z', "
        "'2024-01-01T00:00:00Z', 1)");
    SQLite::Statement insert(db,
                             "INSERT INTO jobs (batch_id, content_key, prompt_id, model, prompt, "
                             "vars, created_at, load_serial) VALUES (1, ?, ?, ?, ?, "
                             "'{\"city\":\"Paris\",\"words\":\"20\",\"expected\":\"Seine\"}', "
                             "'2024-01-01T00:00:00Z', 1)");
    for (const JobSpec& job : Jobs()) {
      const ContentKey key = MakeContentKey("rivers", job.prompt_id, job.prompt, job.model, 0);
      insert.bind(1, key.data(), static_cast<int>(key.size()));
      insert.bind(2, job.prompt_id);
      insert.bind(3, job.model);
      insert.bind(4, job.prompt);
      insert.exec();
      insert.reset();
    }
    // gemma completed after a 429; llama failed; phi3 is still running
    // after a retried 503.
    db.exec(
        "UPDATE job_state SET state = 'completed', attempts = 2, remote_id = 'r1', "
        "last_error = 'HTTP 429: service said: Too many requests', "
        "finished_at = '2024-01-01T00:10:00Z' WHERE job_id = 1;"
        "UPDATE job_state SET state = 'failed', attempts = 1, last_error = 'aborted' "
        "WHERE job_id = 2;"
        "UPDATE job_state SET state = 'running', attempts = 2, last_error = 'HTTP 503' "
        "WHERE job_id = 3;");
  }

  TempDir dir_;
  const std::string path_ = dir_.File("v2.db");
};

std::string Errors(const std::string& path) {
  return QueryText(path,
                   "SELECT group_concat(job_id || ':' || ifnull(last_error, 'NULL') || '|' || "
                   "ifnull(previous_error, 'NULL'), ' ; ') FROM "
                   "(SELECT * FROM job_state ORDER BY job_id)");
}

TEST_F(MigrationV3Test, ACompletedJobsErrorMovesToPreviousErrorAndOthersKeepTheirs) {
  EXPECT_GE(JobStore::Open(path_)->SchemaVersion(), 3);  // and on through the later ones
  EXPECT_EQ(Errors(path_),
            "1:NULL|HTTP 429: service said: Too many requests ; 2:aborted|NULL ; "
            "3:HTTP 503|NULL");
  EXPECT_EQ(QueryText(path_, "PRAGMA integrity_check"), "ok");
}

TEST_F(MigrationV3Test, ReloadingAfterTheUpgradeAddsNothingAndTypesTheVariables) {
  const std::string keys = QueryText(path_, "SELECT group_concat(hex(content_key)) FROM jobs");
  auto store = JobStore::Open(path_);
  const LoadCounts counts = Load(*store, Batch("rivers"), Jobs());
  EXPECT_EQ(counts.added, 0u);
  EXPECT_EQ(counts.already_present, 3u);
  EXPECT_EQ(QueryInt(path_, "SELECT count(*) FROM jobs"), 3);
  EXPECT_EQ(QueryText(path_, "SELECT group_concat(hex(content_key)) FROM jobs"), keys);
  EXPECT_EQ(QueryText(path_, "SELECT group_concat(vars, ' ') FROM jobs"),
            R"({"city":"Paris","words":20,"expected":"Seine"} )"
            R"({"city":"Paris","words":20,"expected":"Seine"} )"
            R"({"city":"Paris","words":20,"expected":"Seine"})");
  // The run state is the loader's to keep.
  EXPECT_EQ(QueryText(path_, "SELECT group_concat(state) FROM job_state"),
            "completed,failed,running");
}

TEST_F(MigrationV3Test, TheUpgradedCompletedJobExportsNoError) {
  auto store = JobStore::Open(path_);
  ExportReader reader(*store, {.states = {JobState::kCompleted}});
  std::string seen;
  reader.ForEachRow([&](const ExportRow& row) {
    seen += std::string(row.model) + " error=" + (row.error ? std::string(*row.error) : "null") +
            " previous=" + (row.previous_error ? std::string(*row.previous_error) : "null");
  });
  EXPECT_EQ(seen, "gemma:2b error=null previous=HTTP 429: service said: Too many requests");
}

}  // namespace
}  // namespace gridbatch::store
