// Upgrading an existing database from schema version 1 to version 2
// (schemas/migrations/002_job_state.sql, which moves what the run loop
// changes about a job out of `jobs` into `job_state`). A version-1 file is
// built here by hand from 001_initial.sql as the source tree has it, filled
// with jobs in every state and a value in every column, and opened through
// JobStore::Open, which applies the migration; plain SQL then reads every
// value back from wherever version 2 keeps it.

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "gridbatch/error.hpp"
#include "gridbatch/store/job_store.hpp"
#include "store_test_util.hpp"

namespace gridbatch::store {
extern const std::vector<std::string_view> kMigrations;

namespace {

using gridbatch::testing::ReadFile;
using testing::Exec;
using testing::QueryInt;
using testing::QueryText;
using testing::TempDir;

const std::filesystem::path kMigrationsDir =
    std::filesystem::path(GRIDBATCH_SOURCE_DIR) / "schemas" / "migrations";

// A value as SQLite stores it: the storage class matters as much as the
// value (a REAL that came back as TEXT has not survived).
struct Blob {
  std::string bytes;
  bool operator==(const Blob&) const = default;
};
using Value = std::variant<std::nullptr_t, std::int64_t, double, std::string, Blob>;
using Row = std::vector<std::pair<std::string, Value>>;

std::string Describe(const Value& value) {
  if (std::holds_alternative<std::nullptr_t>(value)) return "NULL";
  if (const auto* i = std::get_if<std::int64_t>(&value)) return "integer " + std::to_string(*i);
  if (const auto* d = std::get_if<double>(&value)) {
    char text[64];
    std::snprintf(text, sizeof text, "real %.17g", *d);
    return text;
  }
  if (const auto* s = std::get_if<std::string>(&value)) return "text '" + *s + "'";
  std::string hex = "blob x'";
  for (const unsigned char byte : std::get<Blob>(value).bytes) {
    char digits[3];
    std::snprintf(digits, sizeof digits, "%02x", byte);
    hex += digits;
  }
  return hex + "'";
}

std::string Describe(const std::optional<Value>& value) {
  return value ? Describe(*value) : "(no row)";
}

Value ValueOf(const SQLite::Column& column) {
  switch (column.getType()) {
    case SQLITE_INTEGER:
      return column.getInt64();
    case SQLITE_FLOAT:
      return column.getDouble();
    case SQLITE_TEXT:
      return column.getString();
    case SQLITE_BLOB:
      return Blob{std::string(static_cast<const char*>(column.getBlob()),
                              static_cast<std::size_t>(column.getBytes()))};
    default:
      return nullptr;
  }
}

void Bind(SQLite::Statement& statement, int index, const Value& value) {
  if (std::holds_alternative<std::nullptr_t>(value)) {
    statement.bind(index);
  } else if (const auto* i = std::get_if<std::int64_t>(&value)) {
    statement.bind(index, *i);
  } else if (const auto* d = std::get_if<double>(&value)) {
    statement.bind(index, *d);
  } else if (const auto* s = std::get_if<std::string>(&value)) {
    statement.bind(index, *s);
  } else {
    const auto& bytes = std::get<Blob>(value).bytes;
    statement.bind(index, bytes.data(), static_cast<int>(bytes.size()));
  }
}

void Insert(SQLite::Database& db, const std::string& table, const Row& row) {
  std::string columns;
  std::string marks;
  for (const auto& [name, value] : row) {
    columns += (columns.empty() ? "" : ", ") + name;
    marks += marks.empty() ? "?" : ", ?";
  }
  SQLite::Statement insert(db,
                           "INSERT INTO " + table + " (" + columns + ") VALUES (" + marks + ")");
  int index = 1;
  for (const auto& [name, value] : row) Bind(insert, index++, value);
  insert.exec();
}

// `column` of the row of `table` whose `key` is `id`; nullopt if there is none.
std::optional<Value> Read(SQLite::Database& db, const std::string& table, const std::string& key,
                          std::int64_t id, const std::string& column) {
  SQLite::Statement query(db, "SELECT " + column + " FROM " + table + " WHERE " + key + " = ?");
  query.bind(1, id);
  if (!query.executeStep()) return std::nullopt;
  return ValueOf(query.getColumn(0));
}

// One line per row of `sql`, columns separated by '|'.
std::string Lines(SQLite::Database& db, const std::string& sql) {
  SQLite::Statement query(db, sql);
  std::string lines;
  while (query.executeStep()) {
    for (int i = 0; i < query.getColumnCount(); ++i) {
      lines += (i == 0 ? "" : "|") + query.getColumn(i).getString();
    }
    lines += "\n";
  }
  return lines;
}

std::vector<std::string> ColumnsOf(SQLite::Database& db, const std::string& table) {
  SQLite::Statement query(db, "SELECT name FROM pragma_table_info(?) ORDER BY cid");
  query.bind(1, table);
  std::vector<std::string> names;
  while (query.executeStep()) names.push_back(query.getColumn(0).getString());
  return names;
}

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Version 2's split: what a job is, in `jobs` ...
const std::vector<std::string> kJobsColumns = {
    "id",           "batch_id", "content_key", "prompt_id",      "model",      "prompt",     "vars",
    "repeat_index", "output",   "runtime",     "remote_created", "created_at", "load_serial"};
// ... and what is happening to it, in `job_state` (job_id is jobs.id;
// batch_id and model are copies).
const std::vector<std::string> kJobStateColumns = {
    "job_id",          "batch_id",       "model",         "state",
    "attempts",        "remote_id",      "remote_status", "vm_status",
    "last_error",      "updated_at",     "submitted_at",  "finished_at",
    "next_attempt_at", "last_polled_at", "missing_since", "previous_error",  // since version 3
    "next_poll_at",    "last_running_at"};                                   // since version 4

constexpr std::int64_t kBatchA = 3;
constexpr std::int64_t kBatchB = 8;

const std::vector<Row>& Batches() {
  static const std::vector<Row> batches = {
      {{"id", std::int64_t{kBatchA}},
       {"name", std::string("sweep-a")},
       {"app", std::string("app-a")},
       {"hours", 1.5},
       {"manifest_path", std::string("/manifests/a.yaml")},
       {"created_at", std::string("2024-01-01T00:00:00Z")},
       {"updated_at", std::string("2024-01-02T00:00:00Z")},
       {"load_serial", std::int64_t{4}}},
      {{"id", std::int64_t{kBatchB}},
       {"name", std::string("sweep-b")},
       {"app", std::string("app-b")},
       {"hours", nullptr},
       {"manifest_path", nullptr},
       {"created_at", std::string("2024-01-03T00:00:00Z")},
       {"updated_at", std::string("2024-01-04T00:00:00Z")},
       {"load_serial", std::int64_t{9}}},
  };
  return batches;
}

struct V1Job {
  Row inserted;  // the columns the INSERT names
  Row defaults;  // the columns it leaves out, as the schema's defaults fill them
  std::int64_t Id() const { return std::get<std::int64_t>(inserted.front().second); }
  Row Expected() const {
    Row all = inserted;
    all.insert(all.end(), defaults.begin(), defaults.end());
    return all;
  }
};

// One job in each state, every column set and no two values alike, plus one
// job with NULL wherever the schema allows it and defaults wherever it has
// one. Ids leave gaps: the upgrade must keep them, not renumber.
const std::vector<V1Job>& Jobs() {
  static const std::vector<V1Job> jobs = [] {
    const char* const states[] = {"pending",   "submitting", "submitted", "running",
                                  "completed", "failed",     "cancelled"};
    std::vector<V1Job> all;
    std::int64_t i = 0;
    for (const char* state : states) {
      const std::string n = std::to_string(i);
      const std::string day = "2024-03-1" + n;
      // A key with a NUL and a high byte in it: the BLOB must come through whole.
      std::string key(16, '\0');
      for (std::size_t b = 0; b < key.size(); ++b) {
        key[b] = static_cast<char>((static_cast<std::size_t>(i) * 37 + b * 11 + 0xf0) % 256);
      }
      key[3] = '\0';
      all.push_back(V1Job{{{"id", 10 * i + 7},
                           {"batch_id", i % 2 == 0 ? kBatchA : kBatchB},
                           {"content_key", Blob{key}},
                           {"prompt_id", "prompt-" + n},
                           {"model", "model-" + n},
                           {"prompt", "Say 'hello' " + n + " times.\nThen stop."},
                           {"vars", R"({"count": )" + n + "}"},
                           {"repeat_index", 20 + i},
                           {"state", std::string(state)},
                           {"attempts", 1 + i},
                           {"remote_id", "remote-" + n},
                           {"remote_status", "STATUS_" + n},
                           {"vm_status", "vm-" + n},
                           {"output", "log line " + n + "\nlast line"},
                           {"runtime", 300 + i},
                           {"remote_created", "2024-02-1" + n + "T09:00:00Z"},
                           {"created_at", day + "T00:00:01Z"},
                           {"updated_at", day + "T00:00:02Z"},
                           {"submitted_at", day + "T00:00:03Z"},
                           {"finished_at", day + "T00:00:04Z"},
                           {"next_attempt_at", 1700000000.25 + static_cast<double>(i)},
                           {"last_polled_at", 1700000500.5 + static_cast<double>(i)},
                           {"missing_since", 1700000900.75 + static_cast<double>(i)},
                           {"last_error", "error " + n + ": quota exceeded"},
                           {"load_serial", 40 + i}},
                          {}});
      ++i;
    }
    all.push_back(V1Job{{{"id", std::int64_t{99}},
                         {"batch_id", kBatchB},
                         {"content_key", Blob{std::string(16, '\x5a')}},
                         {"prompt_id", std::string("prompt-null")},
                         {"model", std::string("model-null")},
                         {"prompt", std::string("the job with NULLs")},
                         {"vars", nullptr},
                         {"remote_id", nullptr},
                         {"remote_status", nullptr},
                         {"vm_status", nullptr},
                         {"output", nullptr},
                         {"runtime", nullptr},
                         {"remote_created", nullptr},
                         {"created_at", std::string("2024-04-01T00:00:01Z")},
                         {"updated_at", std::string("2024-04-01T00:00:02Z")},
                         {"submitted_at", nullptr},
                         {"finished_at", nullptr},
                         {"missing_since", nullptr},
                         {"last_error", nullptr}},
                        {{"repeat_index", std::int64_t{0}},
                         {"state", std::string("pending")},
                         {"attempts", std::int64_t{0}},
                         {"next_attempt_at", 0.0},
                         {"last_polled_at", 0.0},
                         {"load_serial", std::int64_t{0}}}});
    return all;
  }();
  return jobs;
}

// How many migrations the source tree has: the version an upgrade ends at.
int MigrationFiles() {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kMigrationsDir)) {
    if (entry.path().extension() == ".sql") ++count;
  }
  return count;
}

class MigrationTest : public ::testing::Test {
 protected:
  // Builds version 1 at path_, checks it holds what Jobs() says, and leaves
  // it closed.
  void SetUp() override {
    const std::string schema = ReadFile(kMigrationsDir / "001_initial.sql");
    ASSERT_NE(schema.find("CREATE TABLE jobs"), std::string::npos)
        << "cannot read " << (kMigrationsDir / "001_initial.sql");
    SQLite::Database db(path_, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec(schema);
    db.exec("PRAGMA user_version = 1");
    db.exec("PRAGMA foreign_keys = ON");
    SQLite::Transaction tx(db);
    for (const auto& batch : Batches()) Insert(db, "batches", batch);
    for (const auto& job : Jobs()) Insert(db, "jobs", job.inserted);
    tx.commit();

    // The test's own expectations: every version-1 column has a value for
    // every job, and the file holds exactly those values (defaults included).
    const auto v1_columns = ColumnsOf(db, "jobs");
    ASSERT_EQ(v1_columns.size(), 25u);
    for (const auto& job : Jobs()) {
      const Row expected = job.Expected();
      std::set<std::string> named;
      for (const auto& [column, value] : expected) named.insert(column);
      ASSERT_EQ(named, std::set<std::string>(v1_columns.begin(), v1_columns.end()))
          << "job " << job.Id();
      for (const auto& [column, value] : expected) {
        ASSERT_EQ(Describe(Read(db, "jobs", "id", job.Id(), column)), Describe(value))
            << "version 1, job " << job.Id() << ", jobs." << column;
      }
    }
  }

  void Upgrade() {
    auto store = JobStore::Open(path_);
    ASSERT_EQ(store->SchemaVersion(), MigrationFiles());
  }

  TempDir dir_;
  const std::string path_ = dir_.File("v1.db");
};

TEST_F(MigrationTest, UpgradesVersionOneToTheLatestVersion) {
  EXPECT_EQ(QueryInt(path_, "PRAGMA user_version"), 1);
  ASSERT_NO_FATAL_FAILURE(Upgrade());
  const int files = MigrationFiles();
  EXPECT_GE(files, 2);
  EXPECT_EQ(static_cast<int>(kMigrations.size()), files);
  EXPECT_EQ(QueryInt(path_, "PRAGMA user_version"), files);
  // Opening again finds nothing left to do and changes nothing.
  EXPECT_EQ(JobStore::Open(path_)->SchemaVersion(), files);
  EXPECT_EQ(QueryInt(path_, "SELECT count(*) FROM jobs"), static_cast<std::int64_t>(Jobs().size()));
}

// A table of the same name as one the upgrade makes: the upgrade fails
// part-way, says where and why, and the file stays at version 1 as it was.
TEST_F(MigrationTest, AnUpgradeThatFailsLeavesVersionOneAsItWas) {
  Exec(path_, "CREATE TABLE job_state (note TEXT)");
  const std::string before = QueryText(path_,
                                       "SELECT group_concat(name, ',') FROM (SELECT name "
                                       "FROM sqlite_schema ORDER BY name)");
  try {
    JobStore::Open(path_);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), kExitIoErr);
    EXPECT_EQ(std::string(e.what()), "database " + path_ +
                                         ": upgrade schema version 1 to 2: table job_state "
                                         "already exists");
  }
  EXPECT_EQ(QueryInt(path_, "PRAGMA user_version"), 1);
  EXPECT_EQ(QueryText(path_,
                      "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_schema "
                      "ORDER BY name)"),
            before);
  SQLite::Database db(path_, SQLite::OPEN_READONLY);
  for (const auto& job : Jobs()) {
    for (const auto& [column, value] : job.Expected()) {
      EXPECT_EQ(Describe(Read(db, "jobs", "id", job.Id(), column)), Describe(value))
          << "job " << job.Id() << ", jobs." << column;
    }
  }
}

TEST_F(MigrationTest, UpgradeKeepsEveryColumnOfEveryJob) {
  ASSERT_NO_FATAL_FAILURE(Upgrade());
  SQLite::Database db(path_, SQLite::OPEN_READONLY);

  std::string ids;
  for (const auto& job : Jobs()) ids += std::to_string(job.Id()) + "\n";
  EXPECT_EQ(Lines(db, "SELECT id FROM jobs ORDER BY id"), ids);
  EXPECT_EQ(Lines(db, "SELECT job_id FROM job_state ORDER BY job_id"), ids);

  for (const auto& job : Jobs()) {
    for (const auto& [column, value] : job.Expected()) {
      const bool in_jobs = Contains(kJobsColumns, column);
      const bool in_state = Contains(kJobStateColumns, column);
      EXPECT_TRUE(in_jobs || in_state)
          << "version 1's jobs." << column << " has no place in version 2";
      if (in_jobs) {
        EXPECT_EQ(Describe(Read(db, "jobs", "id", job.Id(), column)), Describe(value))
            << "job " << job.Id() << ", jobs." << column;
      }
      // Version 3 moves a completed job's error to previous_error.
      const bool completed =
          Describe(Read(db, "job_state", "job_id", job.Id(), "state")) == "text 'completed'";
      if (in_state && column == "last_error" && completed) {
        EXPECT_EQ(Describe(Read(db, "job_state", "job_id", job.Id(), "last_error")), "NULL");
        EXPECT_EQ(Describe(Read(db, "job_state", "job_id", job.Id(), "previous_error")),
                  Describe(value))
            << "job " << job.Id();
      } else if (in_state) {
        EXPECT_EQ(Describe(Read(db, "job_state", "job_id", job.Id(), column)), Describe(value))
            << "job " << job.Id() << ", job_state." << column;
      }
    }
  }
}

TEST_F(MigrationTest, UpgradeKeepsEveryBatch) {
  ASSERT_NO_FATAL_FAILURE(Upgrade());
  SQLite::Database db(path_, SQLite::OPEN_READONLY);
  EXPECT_EQ(QueryInt(path_, "SELECT count(*) FROM batches"),
            static_cast<std::int64_t>(Batches().size()));
  for (const auto& batch : Batches()) {
    const auto id = std::get<std::int64_t>(batch.front().second);
    for (const auto& [column, value] : batch) {
      EXPECT_EQ(Describe(Read(db, "batches", "id", id, column)), Describe(value))
          << "batch " << id << ", batches." << column;
    }
  }
}

TEST_F(MigrationTest, UpgradeLeavesTheNewTablesIndexesAndAConsistentFile) {
  ASSERT_NO_FATAL_FAILURE(Upgrade());
  SQLite::Database db(path_, SQLite::OPEN_READONLY);
  // The moved columns are gone from jobs; job_state has them.
  EXPECT_EQ(ColumnsOf(db, "jobs"), kJobsColumns);
  EXPECT_EQ(ColumnsOf(db, "job_state"), kJobStateColumns);
  EXPECT_EQ(Lines(db, "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name"),
            "batches\nholds\njob_state\njobs\n");
  // The old indexes went with the old table; the new ones are on the new tables.
  EXPECT_EQ(Lines(db,
                  "SELECT name, tbl_name FROM sqlite_schema WHERE type = 'index' "
                  "AND name NOT LIKE 'sqlite_autoindex_%' ORDER BY name"),
            "job_state_due|job_state\n"
            "job_state_errors|job_state\n"
            "job_state_poll|job_state\n"
            "jobs_batch|jobs\n"
            "jobs_prompt|jobs\n");
  EXPECT_EQ(Lines(db, "SELECT name FROM pragma_index_info('jobs_batch') ORDER BY seqno"),
            "batch_id\nmodel\n");
  EXPECT_EQ(Lines(db, "SELECT name FROM pragma_index_info('jobs_prompt') ORDER BY seqno"),
            "batch_id\nprompt_id\nrepeat_index\nmodel\n");
  EXPECT_EQ(Lines(db, "SELECT name FROM sqlite_schema WHERE type = 'view'"), "results\n");
  EXPECT_EQ(Lines(db, "SELECT count(*) FROM results"), std::to_string(Jobs().size()) + "\n");
  EXPECT_EQ(Lines(db, "SELECT name, tbl_name FROM sqlite_schema WHERE type = 'trigger'"),
            "jobs_state_row|jobs\n");
  // job_state refers to the rebuilt jobs (not to jobs_v1 or jobs_v2) and
  // goes with it.
  EXPECT_EQ(Lines(db,
                  "SELECT \"table\", \"from\", \"to\", on_delete "
                  "FROM pragma_foreign_key_list('job_state')"),
            "jobs|job_id|id|CASCADE\n");
  EXPECT_EQ(Lines(db, "SELECT \"table\", \"from\", \"to\" FROM pragma_foreign_key_list('jobs')"),
            "batches|batch_id|id\n");
  EXPECT_EQ(Lines(db, "PRAGMA integrity_check"), "ok\n");
  EXPECT_EQ(Lines(db, "PRAGMA foreign_key_check"), "");
}

TEST_F(MigrationTest, AfterUpgradeANewJobGetsItsStateRowFromTheTrigger) {
  ASSERT_NO_FATAL_FAILURE(Upgrade());
  SQLite::Database db(path_, SQLite::OPEN_READWRITE);
  db.exec("PRAGMA foreign_keys = ON");
  // The columns the loader sets; everything else is left to the schema.
  Insert(db, "jobs",
         {{"batch_id", kBatchB},
          {"content_key", Blob{std::string(16, '\x01')}},
          {"prompt_id", std::string("prompt-new")},
          {"model", std::string("model-new")},
          {"prompt", std::string("a job loaded after the upgrade")},
          {"created_at", std::string("2024-05-01T12:00:00Z")},
          {"load_serial", std::int64_t{10}}});
  const std::int64_t id = db.getLastInsertRowid();
  EXPECT_EQ(id, 100);  // after the largest kept id, 99

  const Row state = {{"batch_id", kBatchB},
                     {"model", std::string("model-new")},
                     {"state", std::string("pending")},
                     {"attempts", std::int64_t{0}},
                     {"remote_id", nullptr},
                     {"remote_status", nullptr},
                     {"vm_status", nullptr},
                     {"last_error", nullptr},
                     {"updated_at", std::string("2024-05-01T12:00:00Z")},
                     {"submitted_at", nullptr},
                     {"finished_at", nullptr},
                     {"next_attempt_at", 0.0},
                     {"last_polled_at", 0.0},
                     {"missing_since", nullptr},
                     {"previous_error", nullptr}};
  for (const auto& [column, value] : state) {
    EXPECT_EQ(Describe(Read(db, "job_state", "job_id", id, column)), Describe(value))
        << "job_state." << column;
  }
  EXPECT_EQ(db.execAndGet("SELECT count(*) FROM job_state").getInt64(),
            static_cast<std::int64_t>(Jobs().size()) + 1);
  EXPECT_EQ(Lines(db, "PRAGMA foreign_key_check"), "");
}

TEST_F(MigrationTest, AfterUpgradeDeletingAJobDeletesItsStateRow) {
  ASSERT_NO_FATAL_FAILURE(Upgrade());
  SQLite::Database db(path_, SQLite::OPEN_READWRITE);
  db.exec("PRAGMA foreign_keys = ON");
  // A job whose state row the upgrade copied ...
  const std::int64_t running = Jobs()[3].Id();
  ASSERT_EQ(Describe(Read(db, "job_state", "job_id", running, "state")), "text 'running'");
  db.exec("DELETE FROM jobs WHERE id = " + std::to_string(running));
  EXPECT_EQ(Describe(Read(db, "job_state", "job_id", running, "state")), "(no row)");
  // ... and one whose state row the trigger made.
  Insert(db, "jobs",
         {{"batch_id", kBatchA},
          {"content_key", Blob{std::string(16, '\x02')}},
          {"prompt_id", std::string("prompt-new")},
          {"model", std::string("model-new")},
          {"prompt", std::string("loaded and deleted")},
          {"created_at", std::string("2024-05-02T00:00:00Z")},
          {"load_serial", std::int64_t{5}}});
  const std::int64_t added = db.getLastInsertRowid();
  ASSERT_EQ(Describe(Read(db, "job_state", "job_id", added, "state")), "text 'pending'");
  db.exec("DELETE FROM jobs WHERE id = " + std::to_string(added));
  EXPECT_EQ(Describe(Read(db, "job_state", "job_id", added, "state")), "(no row)");

  // The other jobs keep theirs.
  std::string ids;
  for (const auto& job : Jobs()) {
    if (job.Id() != running) ids += std::to_string(job.Id()) + "\n";
  }
  EXPECT_EQ(Lines(db, "SELECT id FROM jobs ORDER BY id"), ids);
  EXPECT_EQ(Lines(db, "SELECT job_id FROM job_state ORDER BY job_id"), ids);
  EXPECT_EQ(Lines(db, "PRAGMA foreign_key_check"), "");
}

TEST_F(MigrationTest, AFreshDatabaseHasTheSameSchemaAsAnUpgradedOne) {
  ASSERT_NO_FATAL_FAILURE(Upgrade());
  const std::string fresh_path = dir_.File("fresh.db");
  EXPECT_EQ(JobStore::Open(fresh_path)->SchemaVersion(), MigrationFiles());

  SQLite::Database upgraded(path_, SQLite::OPEN_READONLY);
  SQLite::Database fresh(fresh_path, SQLite::OPEN_READONLY);
  const std::string objects = "SELECT type, name, tbl_name FROM sqlite_schema ORDER BY name";
  const std::string fresh_objects = Lines(fresh, objects);
  EXPECT_NE(fresh_objects.find("table|job_state|job_state"), std::string::npos) << fresh_objects;
  EXPECT_EQ(Lines(upgraded, objects), fresh_objects);
  for (const char* table : {"batches", "jobs", "job_state"}) {
    const std::string columns =
        "SELECT cid, name, type, \"notnull\", dflt_value, pk "
        "FROM pragma_table_info('" +
        std::string(table) + "')";
    EXPECT_EQ(Lines(upgraded, columns), Lines(fresh, columns)) << table;
  }
  EXPECT_EQ(QueryInt(fresh_path, "PRAGMA user_version"), QueryInt(path_, "PRAGMA user_version"));
}

}  // namespace
}  // namespace gridbatch::store
