#include "gridbatch/store/export_reader.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "gridbatch/error.hpp"
#include "gridbatch/store/job_store.hpp"
#include "gridbatch/util/time_format.hpp"
#include "test_db.hpp"

namespace gridbatch::store {
namespace {

using testing::JobRow;
using testing::TempDir;
using testing::TestDb;

std::unique_ptr<JobStore> OpenReadOnly(const std::filesystem::path& path) {
  OpenOptions options;
  options.mode = OpenOptions::Mode::kReadOnly;
  return JobStore::Open(path.string(), options);
}

// The prompt ids of the rows `filter` selects, in export order.
std::vector<std::string> PromptIds(const std::filesystem::path& path, ExportFilter filter) {
  auto store = OpenReadOnly(path);
  ExportReader reader(*store, std::move(filter));
  std::vector<std::string> ids;
  reader.ForEachRow([&](const ExportRow& row) { ids.emplace_back(row.prompt_id); });
  return ids;
}

std::vector<std::string> VariableNames(const std::filesystem::path& path, ExportFilter filter) {
  auto store = OpenReadOnly(path);
  ExportReader reader(*store, std::move(filter));
  return reader.VariableNames();
}

class ExportReaderTest : public ::testing::Test {
 protected:
  // Six jobs over two batches, two models and three states.
  void SetUp() override {
    Add("a1", "sweep-a", "gemma:2b", "completed", "2024-05-06T21:26:00.000Z");
    Add("a2", "sweep-a", "llama3:8b", "failed", "2024-05-06T21:26:00.001Z");
    Add("a3", "sweep-a", "gemma:2b", "running", "2024-05-06T23:26:00+02:00");
    Add("b1", "sweep-b", "gemma:2b", "completed", "2024-05-07T00:00:00Z");
    Add("b2", "sweep-b", "llama3:8b", "cancelled", "2024-05-05T10:00:00.000Z");
    Add("b3", "sweep-b", "mistral", "completed", "2024-05-08 09:00:00");
  }

  void Add(const std::string& id, const std::string& batch, const std::string& model,
           const std::string& state, const std::string& updated) {
    JobRow row;
    row.prompt_id = id;
    row.batch = batch;
    row.model = model;
    row.state = state;
    row.updated = updated;
    db_.Insert(row);
  }

  static Seconds Time(const char* text) { return *ParseIsoTime(text); }

  TempDir dir_;
  TestDb db_{dir_ / "jobs.db"};
};

TEST_F(ExportReaderTest, ExportsEveryJobInLoadOrderWithoutFilters) {
  EXPECT_EQ(PromptIds(db_.path(), {}),
            (std::vector<std::string>{"a1", "a2", "a3", "b1", "b2", "b3"}));
}

TEST_F(ExportReaderTest, FiltersByBatch) {
  EXPECT_EQ(PromptIds(db_.path(), {.batches = {"sweep-b"}}),
            (std::vector<std::string>{"b1", "b2", "b3"}));
  EXPECT_EQ(PromptIds(db_.path(), {.batches = {"sweep-b", "sweep-a"}}).size(), 6u);
  try {
    PromptIds(db_.path(), {.batches = {"no-such-batch"}});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), kExitUsage);
    EXPECT_EQ(std::string(e.what()), "database " + db_.path().string() +
                                         ": no batch named 'no-such-batch' (batches: sweep-a, "
                                         "sweep-b)");
  }
}

TEST_F(ExportReaderTest, FiltersByModel) {
  EXPECT_EQ(PromptIds(db_.path(), {.models = {"llama3:8b"}}),
            (std::vector<std::string>{"a2", "b2"}));
  EXPECT_EQ(PromptIds(db_.path(), {.models = {"llama3:8b", "mistral"}}),
            (std::vector<std::string>{"a2", "b2", "b3"}));
}

TEST_F(ExportReaderTest, FiltersByState) {
  EXPECT_EQ(PromptIds(db_.path(), {.states = {JobState::kCompleted}}),
            (std::vector<std::string>{"a1", "b1", "b3"}));
  EXPECT_EQ(PromptIds(db_.path(), {.states = {JobState::kFailed, JobState::kCancelled}}),
            (std::vector<std::string>{"a2", "b2"}));
  EXPECT_EQ(PromptIds(db_.path(), {.states = {JobState::kPending}}), std::vector<std::string>{});
}

TEST_F(ExportReaderTest, FiltersByUpdateTimeInclusivelyToTheMillisecond) {
  EXPECT_EQ(PromptIds(db_.path(), {.since = Time("2024-05-06T21:26:00Z")}),
            (std::vector<std::string>{"a1", "a2", "a3", "b1", "b3"}));
  // a3's "23:26:00+02:00" is a1's instant spelled another way.
  EXPECT_EQ(PromptIds(db_.path(), {.since = Time("2024-05-06T23:26:00+02:00")}),
            (std::vector<std::string>{"a1", "a2", "a3", "b1", "b3"}));
  EXPECT_EQ(PromptIds(db_.path(), {.since = Time("2024-05-06T21:26:00.001Z")}),
            (std::vector<std::string>{"a2", "b1", "b3"}));
  EXPECT_EQ(PromptIds(db_.path(), {.since = Time("2024-05-06T21:26:00.002Z")}),
            (std::vector<std::string>{"b1", "b3"}));
  EXPECT_EQ(PromptIds(db_.path(), {.since = Time("2024-05-08")}), (std::vector<std::string>{"b3"}));
}

TEST_F(ExportReaderTest, CombinesFiltersWithAnd) {
  EXPECT_EQ(PromptIds(db_.path(), {.batches = {"sweep-a"}, .models = {"gemma:2b"}}),
            (std::vector<std::string>{"a1", "a3"}));
  EXPECT_EQ(PromptIds(db_.path(), {.batches = {"sweep-a", "sweep-b"},
                                   .models = {"gemma:2b"},
                                   .states = {JobState::kCompleted},
                                   .since = Time("2024-05-06T22:00:00Z")}),
            (std::vector<std::string>{"b1"}));
}

TEST_F(ExportReaderTest, ReadsEveryColumnAndNulls) {
  JobRow full;
  full.batch = "full";
  full.prompt_id = "f1";
  full.model = "gemma:2b";
  full.prompt = "Why?";
  full.state = "failed";
  full.output = "partial";
  full.runtime = 23;
  full.remote_id = "9f22";
  full.attempts = 3;
  full.error = "HTTP 400";
  full.previous_error = "HTTP 429";
  full.created = "2024-05-06T21:00:00.000Z";
  full.submitted_at = "2024-05-06T21:01:00.000Z";
  full.finished_at = "2024-05-06T21:02:00.000Z";
  full.repeat = 4;
  full.vars = R"({"a":1})";
  db_.Insert(full);
  std::vector<std::string> seen;
  auto store = OpenReadOnly(db_.path());
  ExportReader reader(*store, {.batches = {"full", "sweep-a"}});
  reader.ForEachRow([&](const ExportRow& r) {
    if (r.prompt_id == "a1") {
      EXPECT_FALSE(r.output || r.runtime || r.remote_id || r.error || r.previous_error ||
                   r.submitted_at || r.finished_at || r.vars);
      return;
    }
    if (r.prompt_id != "f1") return;
    seen = {
        std::string(r.batch),           std::string(r.model),       std::string(r.prompt),
        std::string(r.state),           std::string(*r.output),     std::to_string(*r.runtime),
        std::string(*r.remote_id),      std::to_string(r.attempts), std::string(*r.error),
        std::string(*r.previous_error), std::string(r.created),     std::string(*r.submitted_at),
        std::string(*r.finished_at),    std::to_string(r.repeat),   std::string(*r.vars)};
  });
  EXPECT_EQ(seen, (std::vector<std::string>{"full", "gemma:2b", "Why?", "failed", "partial", "23",
                                            "9f22", "3", "HTTP 400", "HTTP 429",
                                            "2024-05-06T21:00:00.000Z", "2024-05-06T21:01:00.000Z",
                                            "2024-05-06T21:02:00.000Z", "4", R"({"a":1})"}));
}

// A column of a row as "type:value": the storage class matters (a runtime
// that came back as text would not be the same).
std::string Cell(sqlite3_stmt* s, int column) {
  switch (sqlite3_column_type(s, column)) {
    case SQLITE_NULL:
      return "null";
    case SQLITE_INTEGER:
      return "int:" + std::to_string(sqlite3_column_int64(s, column));
    default:
      return "text:" + std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, column)),
                                   static_cast<std::size_t>(sqlite3_column_bytes(s, column)));
  }
}

std::string Cell(std::optional<std::string_view> text) {
  return text ? "text:" + std::string(*text) : "null";
}
std::string Cell(std::optional<std::int64_t> number) {
  return number ? "int:" + std::to_string(*number) : "null";
}

// The `results` view (schema version 3), read through the sqlite3 C API as
// any program would, gives the export's rows: the same columns, in the same
// order and with the same names, the same values and NULLs, in export order.
TEST_F(ExportReaderTest, TheResultsViewHoldsTheRowsAndColumnsOfTheExport) {
  JobRow full;
  full.batch = "full";
  full.prompt_id = "f1";
  full.output = "2";
  full.runtime = 23;
  full.remote_id = "r9";
  full.attempts = 2;
  full.previous_error = "HTTP 429";
  full.submitted_at = "2024-05-06T21:01:00.000Z";
  full.finished_at = "2024-05-06T21:02:00.000Z";
  full.repeat = 1;
  full.vars = R"({"words":20,"expected":"Seine"})";
  db_.Insert(full);
  full.prompt_id = "f2";
  full.state = "failed";
  full.error = "aborted";
  db_.Insert(full);

  std::vector<std::string> exported;
  {
    auto store = OpenReadOnly(db_.path());
    ExportReader reader(*store, {});
    reader.ForEachRow([&](const ExportRow& r) {
      exported.push_back(Cell(r.batch) + "|" + Cell(r.prompt_id) + "|" + Cell(r.model) + "|" +
                         Cell(r.prompt) + "|" + Cell(r.state) + "|" + Cell(r.output) + "|" +
                         Cell(r.runtime) + "|" + Cell(r.remote_id) + "|" + Cell(r.attempts) + "|" +
                         Cell(r.error) + "|" + Cell(r.previous_error) + "|" + Cell(r.created) +
                         "|" + Cell(r.submitted_at) + "|" + Cell(r.finished_at) + "|" +
                         Cell(r.repeat) + "|" + Cell(r.vars));
    });
  }
  ASSERT_EQ(exported.size(), 8u);

  sqlite3* db = db_.handle();
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT * FROM results", -1, &s, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  std::vector<std::string> names;
  for (int i = 0; i < sqlite3_column_count(s); ++i) names.emplace_back(sqlite3_column_name(s, i));
  EXPECT_EQ(names,
            (std::vector<std::string>{"batch", "prompt_id", "model", "prompt", "state", "output",
                                      "runtime", "remote_id", "attempts", "error", "previous_error",
                                      "created", "submitted_at", "finished_at", "repeat", "vars"}));
  std::vector<std::string> viewed;
  while (sqlite3_step(s) == SQLITE_ROW) {
    std::string line;
    for (int i = 0; i < sqlite3_column_count(s); ++i) line += (i == 0 ? "" : "|") + Cell(s, i);
    viewed.push_back(line);
  }
  sqlite3_finalize(s);
  EXPECT_EQ(viewed, exported);
  EXPECT_EQ(exported.back(),
            "text:full|text:f2|text:m1|text:hello|text:failed|text:2|int:23|text:r9|int:2|"
            "text:aborted|text:HTTP 429|text:2024-05-06T21:26:00.000Z|"
            "text:2024-05-06T21:01:00.000Z|text:2024-05-06T21:02:00.000Z|int:1|"
            R"(text:{"words":20,"expected":"Seine"})");
}

TEST_F(ExportReaderTest, ListsTheSortedUnionOfVariableNamesOfTheSelectedRowsOnly) {
  JobRow row;
  row.batch = "vars";
  row.prompt_id = "v1";
  row.vars = R"({"temp":0.7,"lang":"fr"})";
  db_.Insert(row);
  row.prompt_id = "v2";
  row.model = "other";
  row.state = "failed";
  row.updated = "2030-01-01T00:00:00.000Z";
  row.vars = R"({"Zeta":1,"lang":"de","a.b":2})";
  db_.Insert(row);
  row.state = "completed";
  row.updated = "2024-05-06T21:26:00.000Z";
  row.prompt_id = "v3";
  row.vars = "{not json";
  db_.Insert(row);
  row.prompt_id = "v4";
  row.vars = "[1,2,3]";
  db_.Insert(row);
  EXPECT_EQ(VariableNames(db_.path(), {}),
            (std::vector<std::string>{"Zeta", "a.b", "lang", "temp"}));
  EXPECT_EQ(VariableNames(db_.path(), {.models = {"m1"}}),
            (std::vector<std::string>{"lang", "temp"}));
  EXPECT_EQ(VariableNames(db_.path(), {.batches = {"sweep-a"}}), std::vector<std::string>{});
  // The state and the time of the last change live in job_state.
  EXPECT_EQ(VariableNames(db_.path(), {.states = {JobState::kFailed}}),
            (std::vector<std::string>{"Zeta", "a.b", "lang"}));
  EXPECT_EQ(VariableNames(db_.path(), {.since = 1893456000.0}),  // 2030-01-01
            (std::vector<std::string>{"Zeta", "a.b", "lang"}));
}

TEST_F(ExportReaderTest, StopsAndPropagatesAnExceptionFromTheCallback) {
  auto store = OpenReadOnly(db_.path());
  int calls = 0;
  {
    ExportReader reader(*store, {});
    EXPECT_THROW(reader.ForEachRow([&](const ExportRow&) {
      if (++calls == 2) throw std::runtime_error("stop");
    }),
                 std::runtime_error);
  }
  EXPECT_EQ(calls, 2);
  ExportReader again(*store, {});  // the read transaction was ended
  EXPECT_EQ(again.ForEachRow([](const ExportRow&) {}), 6);
}

TEST_F(ExportReaderTest, ReportsAQueryFailureAsAnIoErrorNamingTheDatabase) {
  auto store = OpenReadOnly(db_.path());
  db_.Exec("ALTER TABLE batches RENAME TO old_batches");
  ExportReader reader(*store, {});
  try {
    reader.ForEachRow([](const ExportRow&) {});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), kExitIoErr);
    EXPECT_EQ(std::string(e.what()), "database " + db_.path().string() +
                                         ": read the jobs to export: no such table: batches");
  }
}

// A writer commits while the export is half-way through: the export still
// sees the database exactly as it was when it started.
TEST_F(ExportReaderTest, SeesOneSnapshotWhileAWriterCommitsMidExport) {
  for (int i = 0; i < 200; ++i) Add("c" + std::to_string(i), "big", "gemma:2b", "running", "x");
  std::mutex mutex;
  std::condition_variable changed;
  bool export_started = false;
  int commits = 0;
  std::thread writer([&] {
    {
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return export_started; });
    }
    for (int generation = 1; generation <= 3; ++generation) {
      db_.Exec(
          "BEGIN IMMEDIATE; UPDATE jobs SET output = 'gen " + std::to_string(generation) +
          "'; UPDATE job_state SET state = 'completed'; DELETE FROM jobs WHERE prompt_id = 'c" +
          std::to_string(generation) + "'; COMMIT");
      JobRow extra;
      extra.prompt_id = "new" + std::to_string(generation);
      db_.Insert(extra);
      std::lock_guard lock(mutex);
      ++commits;
      changed.notify_all();
    }
  });

  auto store = OpenReadOnly(db_.path());
  ExportReader reader(*store, {});
  std::int64_t rows_with_output = 0;
  std::int64_t completed = 0;
  const std::int64_t rows = reader.ForEachRow([&](const ExportRow& row) {
    if (row.output) ++rows_with_output;
    if (row.state == "completed") ++completed;
    if (row.prompt_id != "a1") return;
    std::unique_lock lock(mutex);
    export_started = true;
    changed.notify_all();
    changed.wait(lock, [&] { return commits == 3; });
  });
  writer.join();
  EXPECT_EQ(rows, 206);
  EXPECT_EQ(rows_with_output, 0);
  EXPECT_EQ(completed, 3);
  // Meanwhile the database moved on: three rows deleted, three added.
  EXPECT_EQ(db_.Count("SELECT count(*) FROM jobs"), 206);
  EXPECT_EQ(db_.Count("SELECT count(*) FROM jobs WHERE output = 'gen 3'"), 205);
}

}  // namespace
}  // namespace gridbatch::store
