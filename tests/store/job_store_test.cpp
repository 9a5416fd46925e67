#include "gridbatch/store/job_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string_view>
#include <vector>

#include "gridbatch/error.hpp"
#include "store_test_util.hpp"

namespace gridbatch::store {
extern const std::vector<std::string_view> kMigrations;

namespace {

using testing::Exec;
using testing::QueryInt;
using testing::QueryText;
using testing::TempDir;

// Runs `body`, expecting gridbatch::Error; returns "<exit code> <message>".
template <typename Body>
std::string ErrorOf(Body body) {
  try {
    body();
  } catch (const Error& e) {
    return std::to_string(e.exit_code()) + " " + e.what();
  }
  return "no error";
}

// The run loop changes a job's state twice per submit. SQLite 3.40 checks an
// IN list of three or more values (as a CHECK constraint or in a WHERE) by
// filling a temporary b-tree on every execution, which cost about a tenth of
// the client's CPU per submit; the schema spells its state check as ORs.
int TemporaryTablesOf(const std::string& path, const std::string& sql) {
  SQLite::Database db(path);
  SQLite::Statement explain(db, "EXPLAIN " + sql);
  int count = 0;
  while (explain.executeStep()) count += explain.getColumn(1).getString() == "OpenEphemeral";
  return count;
}

TEST(JobStoreTest, AStateChangeBuildsNoTemporaryTable) {
  TempDir dir;
  const auto path = dir.File("plan.db");
  JobStore::Open(path);
  EXPECT_EQ(TemporaryTablesOf(path,
                              "UPDATE job_state SET state = 'submitting', "
                              "attempts = attempts + 1 WHERE job_id = 1"),
            0);
  // The same statement with an IN list does build one: the check above can fail.
  EXPECT_EQ(TemporaryTablesOf(path,
                              "UPDATE job_state SET attempts = 1 "
                              "WHERE job_id = 1 AND state IN ('a', 'b', 'c')"),
            1);
}

TEST(JobStoreTest, MigratesAFreshFileFromVersionZeroToTheLatest) {
  TempDir dir;
  const auto path = dir.File("fresh.db");
  {
    auto store = JobStore::Open(path);
    EXPECT_EQ(store->SchemaVersion(), static_cast<int>(kMigrations.size()));
  }
  EXPECT_EQ(QueryText(path,
                      "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_schema "
                      "WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%' "
                      "ORDER BY name)"),
            "batches,holds,job_state,job_state_due,job_state_errors,job_state_poll,jobs,jobs_batch,"
            "jobs_prompt");
  EXPECT_EQ(QueryText(path, "PRAGMA journal_mode"), "wal");
}

TEST(JobStoreTest, ReopeningAMigratedFileKeepsItsVersionAndRows) {
  TempDir dir;
  const auto path = dir.File("twice.db");
  JobStore::Open(path);
  Exec(path, "INSERT INTO batches (name, app, created_at, updated_at) VALUES ('b', 'a', 't', 't')");
  auto store = JobStore::Open(path);
  EXPECT_EQ(store->SchemaVersion(), static_cast<int>(kMigrations.size()));
  EXPECT_EQ(QueryInt(path, "SELECT count(*) FROM batches"), 1);
}

TEST(JobStoreTest, RefusesADatabaseNewerThanItKnows) {
  TempDir dir;
  const auto path = dir.File("newer.db");
  Exec(path + "", "PRAGMA user_version = 99");
  EXPECT_EQ(ErrorOf([&] { JobStore::Open(path); }),
            "74 database " + path + ": schema version 99 is newer than this gridbatch knows (" +
                std::to_string(kMigrations.size()) + ")");
  EXPECT_EQ(ErrorOf([&] { JobStore::Open(path, {.mode = OpenOptions::Mode::kReadOnly}); }),
            "74 database " + path + ": schema version 99 is newer than this gridbatch knows (" +
                std::to_string(kMigrations.size()) + ")");
  EXPECT_EQ(QueryInt(path, "PRAGMA user_version"), 99);
}

TEST(JobStoreTest, ReportsAFileThatIsNotSqliteAndLeavesItAlone) {
  TempDir dir;
  const auto path = dir.File("notes.txt");
  std::ofstream(path) << "these are my notes, not a database\n";
  EXPECT_EQ(ErrorOf([&] { JobStore::Open(path); }),
            "74 database " + path + ": open: file is not a database");
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "these are my notes, not a database");
}

TEST(JobStoreTest, ReadOnlyOpenOfAMissingFileFailsWithoutCreatingIt) {
  TempDir dir;
  const auto path = dir.File("missing.db");
  EXPECT_EQ(ErrorOf([&] { JobStore::Open(path, {.mode = OpenOptions::Mode::kReadOnly}); }),
            "66 database " + path + ": no such file");
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(JobStoreTest, ReadOnlyOpenRefusesASqliteFileWithoutOurSchema) {
  TempDir dir;
  const auto path = dir.File("other.db");
  Exec(path, "CREATE TABLE t (x)");
  EXPECT_EQ(ErrorOf([&] { JobStore::Open(path, {.mode = OpenOptions::Mode::kReadOnly}); }),
            "74 database " + path + ": not a gridbatch database (no schema)");
}

TEST(JobStoreTest, ReadOnlyOpenReadsADatabaseAWriterLeftInWalMode) {
  TempDir dir;
  const auto path = dir.File("wal.db");
  JobStore::Open(path);
  auto store = JobStore::Open(path, {.mode = OpenOptions::Mode::kReadOnly});
  EXPECT_EQ(store->SchemaVersion(), static_cast<int>(kMigrations.size()));
}

using testing::Batch;
using testing::Job;
using testing::Load;

// A run must not go on writing into a file nobody can open any more.
std::string CheckError(JobStore& store) {
  try {
    store.CheckStillSameFile();
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), kExitIoErr);
    return e.what();
  }
  return "";
}

TEST(JobStoreFileCheckTest, PassesWhileTheFileIsTheOneOpened) {
  TempDir dir;
  auto store = JobStore::Open(dir.File("j.db"));
  EXPECT_EQ(CheckError(*store), "");
  Load(*store, Batch("b"), {Job("p1", "m")});
  EXPECT_EQ(CheckError(*store), "");
  EXPECT_EQ(CheckError(*JobStore::Open(":memory:")), "");
}

TEST(JobStoreFileCheckTest, ThrowsWhenTheFileWasDeleted) {
  TempDir dir;
  const std::string path = dir.File("j.db");
  auto store = JobStore::Open(path);
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  EXPECT_EQ(CheckError(*store), "database " + path +
                                    ": the file was deleted while this process had it open; "
                                    "stopping, since what it writes from now on would be lost");
}

TEST(JobStoreFileCheckTest, ThrowsWhenAnotherFileWasMovedOverIt) {
  TempDir dir;
  const std::string path = dir.File("j.db");
  auto store = JobStore::Open(path);
  std::filesystem::copy_file(path, dir.File("copy.db"));
  std::filesystem::rename(dir.File("copy.db"), path);
  EXPECT_EQ(CheckError(*store), "database " + path +
                                    ": the file was replaced while this process had it open; "
                                    "stopping, since what it writes from now on would be lost");
}

TEST(JobStoreFileCheckTest, ThrowsWhenItsWriteAheadLogWasDeleted) {
  TempDir dir;
  const std::string path = dir.File("j.db");
  auto store = JobStore::Open(path);
  ASSERT_TRUE(std::filesystem::exists(path + "-wal"));
  EXPECT_EQ(CheckError(*store), "");
  std::filesystem::remove(path + "-wal");
  EXPECT_EQ(CheckError(*store), "database " + path + ": its write-ahead log " + path +
                                    "-wal was deleted while this process had it open; stopping, "
                                    "since what it writes from now on would be lost");
}

}  // namespace
}  // namespace gridbatch::store
