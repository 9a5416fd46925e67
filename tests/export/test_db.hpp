// Test databases for the export tests: a database
// created by the real store (which applies the schema), and rows inserted
// with the sqlite3 C API so the tests need neither the loader nor the runner.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "gridbatch/store/export_reader.hpp"
#include "test_files.hpp"

namespace gridbatch::testing {

// A plain completed job as the writers receive it (repeat 0, no vars).
inline store::ExportRow PlainExportRow() {
  store::ExportRow row;
  row.batch = "b1";
  row.prompt_id = "p1";
  row.model = "gemma:2b";
  row.prompt = "What is 1+1?";
  row.state = "completed";
  row.output = "2";
  row.runtime = 23;
  row.remote_id = "9f22";
  row.attempts = 1;
  row.created = "2024-05-06T21:26:00.000Z";
  row.submitted_at = "2024-05-06T21:27:00.000Z";
  row.finished_at = "2024-05-06T21:28:00.000Z";
  return row;
}

// One job as the tests write it; the defaults make a plain completed job.
struct JobRow {
  std::string batch = "b1";
  std::string prompt_id = "p1";
  std::string model = "m1";
  std::string prompt = "hello";
  std::string state = "completed";
  std::optional<std::string> output;
  std::optional<std::int64_t> runtime;
  std::optional<std::string> remote_id;
  std::int64_t attempts = 0;
  std::optional<std::string> error;
  std::optional<std::string> previous_error;
  std::string created = "2024-05-06T21:26:00.000Z";
  std::string updated = "2024-05-06T21:26:00.000Z";
  std::optional<std::string> submitted_at;
  std::optional<std::string> finished_at;
  std::int64_t repeat = 0;
  std::optional<std::string> vars;
};

// A database file with the gridbatch schema and a writing connection.
class TestDb {
 public:
  // Creates `path` through store::JobStore (schema applied, WAL).
  explicit TestDb(std::filesystem::path path);
  ~TestDb();
  TestDb(const TestDb&) = delete;
  TestDb& operator=(const TestDb&) = delete;

  const std::filesystem::path& path() const { return path_; }
  void Insert(const JobRow& row);
  // Runs `sql`; fails the test with SQLite's message on an error.
  void Exec(const std::string& sql);
  std::int64_t Count(const std::string& sql);
  sqlite3* handle() { return db_; }

 private:
  std::int64_t BatchId(const std::string& name);

  std::filesystem::path path_;
  sqlite3* db_ = nullptr;
  std::int64_t next_key_ = 1;
};

}  // namespace gridbatch::testing
