#include "test_db.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <stdexcept>

#include "gridbatch/store/job_store.hpp"

namespace gridbatch::testing {
namespace {

void BindText(sqlite3_stmt* s, int index, const std::optional<std::string>& text) {
  if (text) {
    sqlite3_bind_text(s, index, text->data(), static_cast<int>(text->size()), SQLITE_TRANSIENT);
  } else {
    sqlite3_bind_null(s, index);
  }
}

void BindInt(sqlite3_stmt* s, int index, const std::optional<std::int64_t>& value) {
  if (value) {
    sqlite3_bind_int64(s, index, *value);
  } else {
    sqlite3_bind_null(s, index);
  }
}

}  // namespace

TestDb::TestDb(std::filesystem::path path) : path_(std::move(path)) {
  store::JobStore::Open(path_.string());  // creates the file and applies the schema
  if (sqlite3_open(path_.c_str(), &db_) != SQLITE_OK) throw std::runtime_error("sqlite3_open");
  sqlite3_busy_timeout(db_, 10000);
  // Tests need no durability, and an fsync per commit would make them slow.
  Exec("PRAGMA synchronous = OFF");
  Exec("PRAGMA foreign_keys = ON");  // as gridbatch has it: deleting a job deletes its state row
}

TestDb::~TestDb() {
  sqlite3_close(db_);
}

void TestDb::Exec(const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    ADD_FAILURE() << sql << ": " << (message ? message : "?");
  }
  sqlite3_free(message);
}

std::int64_t TestDb::Count(const std::string& sql) {
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr);
  std::int64_t value = -1;
  if (s != nullptr && sqlite3_step(s) == SQLITE_ROW) value = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return value;
}

std::int64_t TestDb::BatchId(const std::string& name) {
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db_,
                     "INSERT INTO batches (name, app, created_at, updated_at) "
                     "VALUES (?, 'gridrepublic:text-inference', '2024-05-06T21:00:00.000Z', "
                     "'2024-05-06T21:00:00.000Z') "
                     "ON CONFLICT (name) DO UPDATE SET name = name RETURNING id",
                     -1, &s, nullptr);
  BindText(s, 1, name);
  std::int64_t id = -1;
  if (sqlite3_step(s) == SQLITE_ROW) id = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return id;
}

void TestDb::Insert(const JobRow& row) {
  const std::int64_t batch_id = BatchId(row.batch);
  sqlite3_stmt* s = nullptr;
  // The jobs row first; its trigger makes the job_state row, which then
  // gets the row's state.
  sqlite3_prepare_v2(db_,
                     "INSERT INTO jobs (batch_id, content_key, prompt_id, model, prompt, "
                     "output, runtime, created_at, repeat_index, vars) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     -1, &s, nullptr);
  const std::int64_t key = next_key_++;
  sqlite3_bind_int64(s, 1, batch_id);
  sqlite3_bind_blob(s, 2, &key, sizeof key, SQLITE_TRANSIENT);
  BindText(s, 3, row.prompt_id);
  BindText(s, 4, row.model);
  BindText(s, 5, row.prompt);
  BindText(s, 6, row.output);
  BindInt(s, 7, row.runtime);
  BindText(s, 8, row.created);
  sqlite3_bind_int64(s, 9, row.repeat);
  BindText(s, 10, row.vars);
  if (sqlite3_step(s) != SQLITE_DONE) ADD_FAILURE() << "insert: " << sqlite3_errmsg(db_);
  sqlite3_finalize(s);
  sqlite3_prepare_v2(db_,
                     "UPDATE job_state SET state = ?, remote_id = ?, attempts = ?, last_error = ?, "
                     "updated_at = ?, submitted_at = ?, finished_at = ?, previous_error = ? "
                     "WHERE job_id = last_insert_rowid()",
                     -1, &s, nullptr);
  BindText(s, 1, row.state);
  BindText(s, 2, row.remote_id);
  sqlite3_bind_int64(s, 3, row.attempts);
  BindText(s, 4, row.error);
  BindText(s, 5, row.updated);
  BindText(s, 6, row.submitted_at);
  BindText(s, 7, row.finished_at);
  BindText(s, 8, row.previous_error);
  if (sqlite3_step(s) != SQLITE_DONE || sqlite3_changes(db_) != 1) {
    ADD_FAILURE() << "set state: " << sqlite3_errmsg(db_);
  }
  sqlite3_finalize(s);
}

}  // namespace gridbatch::testing
