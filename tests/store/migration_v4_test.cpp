// Upgrading a database from schema version 3 to version 4
// (schemas/migrations/004_poll_schedule.sql): every in-flight job gets a
// next poll where the fixed schedule had it (its last poll plus the default
// 5 s), and the poller's index moves onto next_poll_at.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "gridbatch/store/job_store.hpp"
#include "store_test_util.hpp"

namespace gridbatch::store {
namespace {

using gridbatch::testing::ReadFile;
using testing::QueryText;
using testing::TempDir;

const std::filesystem::path kMigrationsDir =
    std::filesystem::path(GRIDBATCH_SOURCE_DIR) / "schemas" / "migrations";

class MigrationV4Test : public ::testing::Test {
 protected:
  void SetUp() override {
    SQLite::Database db(path_, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    for (const char* file : {"001_initial.sql", "002_job_state.sql", "003_results.sql"}) {
      db.exec(ReadFile(kMigrationsDir / file));
    }
    db.exec("PRAGMA user_version = 3");
    db.exec(
        "INSERT INTO batches (id, name, app, created_at, updated_at, load_serial) "
        "VALUES (1, 'b', 'gridrepublic:text-inference', '2024-01-01T00:00:00Z', "
        "'2024-01-01T00:00:00Z', 1)");
    for (int i = 1; i <= 3; ++i) {
      db.exec(
          "INSERT INTO jobs (batch_id, content_key, prompt_id, model, prompt, created_at) "
          "VALUES (1, x'0" +
          std::to_string(i) + "', 'p" + std::to_string(i) + "', 'm', 'q', '2024-01-01T00:00:00Z')");
    }
    // 1 is running, last polled at 1000; 2 is pending; 3 completed.
    db.exec(
        "UPDATE job_state SET state = 'running', remote_id = 'r1', last_polled_at = 1000 "
        "WHERE job_id = 1;"
        "UPDATE job_state SET state = 'completed', last_polled_at = 900 WHERE job_id = 3;");
  }

  TempDir dir_;
  const std::string path_ = dir_.File("v3.db");
};

TEST_F(MigrationV4Test, InFlightJobsAreDueWhereTheFixedScheduleHadThem) {
  EXPECT_GE(JobStore::Open(path_)->SchemaVersion(), 4);
  EXPECT_EQ(QueryText(path_,
                      "SELECT group_concat(job_id || ':' || next_poll_at || ':' || "
                      "ifnull(last_running_at, 'NULL'), ' ') FROM "
                      "(SELECT * FROM job_state ORDER BY job_id)"),
            "1:1005.0:NULL 2:0.0:NULL 3:0.0:NULL");
  EXPECT_EQ(QueryText(path_,
                      "SELECT group_concat(name, ',') FROM pragma_index_info("
                      "'job_state_poll')"),
            "next_poll_at");
  EXPECT_EQ(QueryText(path_, "PRAGMA integrity_check"), "ok");
}

}  // namespace
}  // namespace gridbatch::store
