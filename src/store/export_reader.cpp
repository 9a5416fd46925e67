#include "gridbatch/store/export_reader.hpp"

#include <sqlite3.h>

#include <memory>
#include <utility>

#include "batch_lookup.hpp"
#include "gridbatch/util/time_format.hpp"
#include "job_store_impl.hpp"

namespace gridbatch::store {
namespace {

// The columns of ExportRow, in its order.
constexpr const char* kRowColumns =
    "b.name, j.prompt_id, j.model, j.prompt, s.state, j.output, j.runtime, s.remote_id, "
    "s.attempts, s.last_error, s.previous_error, j.created_at, s.submitted_at, s.finished_at, "
    "j.repeat_index, "
    "j.vars";

constexpr const char* kFrom = " FROM jobs AS j JOIN batches AS b ON b.id = j.batch_id";
// With a filter on the state or the time of the last change, which job_state holds.
constexpr const char* kFromWithState =
    " FROM jobs AS j JOIN job_state AS s ON s.job_id = j.id JOIN batches AS b ON b.id = j.batch_id";

// The rows come in rowid order straight off the table. Left to itself the
// planner answers --batch or --state through an index and then sorts every
// matching row, outputs included, in a temporary b-tree: memory and temp
// files growing with the export. NOT INDEXED and CROSS JOIN (which fixes the
// loop order) keep one scan of jobs with primary-key lookups of its state row
// and its batch.
constexpr const char* kStreamingFrom =
    " FROM jobs AS j NOT INDEXED CROSS JOIN job_state AS s ON s.job_id = j.id"
    " CROSS JOIN batches AS b ON b.id = j.batch_id";

// json_each() fails on malformed JSON and lists array indexes as keys: only
// well-formed objects count. Nested CASEs, because only they are sure not to
// evaluate json_type() on text that json_valid() rejected.
constexpr const char* kVarsObject =
    "CASE WHEN json_valid(d.vars) THEN "
    "CASE WHEN json_type(d.vars) = 'object' THEN d.vars END END";

struct WhereClause {
  std::string sql;  // empty, or " WHERE ..."
  std::vector<std::string> params;
};

void AddAlternatives(WhereClause& where, const std::string& column,
                     const std::vector<std::string>& values) {
  if (values.empty()) {
    return;
  }
  where.sql += where.sql.empty() ? " WHERE " : " AND ";
  where.sql += column + " IN (";
  for (std::size_t i = 0; i < values.size(); ++i) {
    where.sql += i == 0 ? "?" : ", ?";
  }
  where.sql += ")";
  where.params.insert(where.params.end(), values.begin(), values.end());
}

WhereClause BuildWhere(const ExportFilter& filter) {
  WhereClause where;
  AddAlternatives(where, "b.name", filter.batches);
  AddAlternatives(where, "j.model", filter.models);
  std::vector<std::string> states;
  for (JobState state : filter.states) {
    states.emplace_back(ToString(state));
  }
  AddAlternatives(where, "s.state", states);
  if (filter.since) {
    // julianday() reads any ISO-8601 spelling the store may have used and
    // works in whole milliseconds, so both sides round the same way.
    where.sql += where.sql.empty() ? " WHERE " : " AND ";
    where.sql += "julianday(s.updated_at) >= julianday(?)";
    where.params.push_back(FormatIsoUtc(*filter.since));
  }
  return where;
}

using StatementPtr = std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)>;

// The row loop uses the C API: it reads every column of up to millions of
// rows, and SQLiteCpp's Column objects cost a shared_ptr copy each.
StatementPtr Prepare(sqlite3* db, const std::string& sql, const std::vector<std::string>& params) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &raw, nullptr);
  StatementPtr statement(raw, &sqlite3_finalize);
  if (rc != SQLITE_OK) {
    throw SQLite::Exception(db, rc);
  }
  for (std::size_t i = 0; i < params.size(); ++i) {
    const int bound = sqlite3_bind_text(raw, static_cast<int>(i + 1), params[i].data(),
                                        static_cast<int>(params[i].size()), SQLITE_TRANSIENT);
    if (bound != SQLITE_OK) {
      throw SQLite::Exception(db, bound);
    }
  }
  return statement;
}

// Steps `statement`; false when done, throws on an error.
bool Step(sqlite3* db, sqlite3_stmt* statement) {
  const int rc = sqlite3_step(statement);
  if (rc == SQLITE_ROW) {
    return true;
  }
  if (rc == SQLITE_DONE) {
    return false;
  }
  throw SQLite::Exception(db, rc);
}

std::string_view Text(sqlite3_stmt* statement, int column) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, column));
  if (text == nullptr) {
    return {};
  }
  return {text, static_cast<std::size_t>(sqlite3_column_bytes(statement, column))};
}

std::optional<std::string_view> NullableText(sqlite3_stmt* statement, int column) {
  if (sqlite3_column_type(statement, column) == SQLITE_NULL) {
    return std::nullopt;
  }
  return Text(statement, column);
}

std::optional<std::int64_t> NullableInt(sqlite3_stmt* statement, int column) {
  if (sqlite3_column_type(statement, column) == SQLITE_NULL) {
    return std::nullopt;
  }
  return sqlite3_column_int64(statement, column);
}

ExportRow ReadRow(sqlite3_stmt* s) {
  ExportRow row;
  row.batch = Text(s, 0);
  row.prompt_id = Text(s, 1);
  row.model = Text(s, 2);
  row.prompt = Text(s, 3);
  row.state = Text(s, 4);
  row.output = NullableText(s, 5);
  row.runtime = NullableInt(s, 6);
  row.remote_id = NullableText(s, 7);
  row.attempts = sqlite3_column_int64(s, 8);
  row.error = NullableText(s, 9);
  row.previous_error = NullableText(s, 10);
  row.created = Text(s, 11);
  row.submitted_at = NullableText(s, 12);
  row.finished_at = NullableText(s, 13);
  row.repeat = sqlite3_column_int64(s, 14);
  row.vars = NullableText(s, 15);
  return row;
}

// The jobs of a prompt come together through jobs_prompt (batch_id,
// prompt_id, repeat_index, model, then the rowid): no sort.
constexpr const char* kWideColumns =
    "SELECT j.batch_id, b.name, j.prompt_id, j.repeat_index, j.prompt, j.vars, j.model, s.state,"
    " j.output, j.runtime, s.last_error";
constexpr const char* kWideFrom =
    " FROM jobs AS j INDEXED BY jobs_prompt CROSS JOIN job_state AS s ON s.job_id = j.id"
    " CROSS JOIN batches AS b ON b.id = j.batch_id";
constexpr const char* kWideOrder =
    " ORDER BY j.batch_id, j.prompt_id, j.repeat_index, j.model, j.id";

std::optional<std::string> OwnedText(sqlite3_stmt* statement, int column) {
  const auto text = NullableText(statement, column);
  return text ? std::optional<std::string>(*text) : std::nullopt;
}

// Collects the rows of the wide query into one WideRow per (batch, prompt
// id, repeat) and passes each finished group to `on_row`: Add() starts a
// new group when a row is of another one, Flush() passes on the last.
class WideGrouper {
 public:
  explicit WideGrouper(const std::function<void(const WideRow&)>& on_row) : on_row_(on_row) {}

  void Add(sqlite3_stmt* s) {
    const std::int64_t batch_id = sqlite3_column_int64(s, 0);
    const std::string_view prompt_id = Text(s, 2);
    const std::int64_t repeat = sqlite3_column_int64(s, 3);
    if (!started_ || batch_id != batch_id_ || prompt_id != group_.prompt_id ||
        repeat != group_.repeat) {
      Flush();
      started_ = true;
      batch_id_ = batch_id;
      group_.batch = Text(s, 1);
      group_.prompt_id = prompt_id;
      group_.repeat = repeat;
    }
    // Rows come by model, then in load order: the later job of a model wins.
    group_.prompt = Text(s, 4);
    group_.vars = OwnedText(s, 5);
    const std::string_view model = Text(s, 6);
    if (group_.jobs.empty() || group_.jobs.back().model != model) {
      group_.jobs.emplace_back();
      group_.jobs.back().model = model;
    }
    WideRow::Job& job = group_.jobs.back();
    job.state = Text(s, 7);
    job.output = OwnedText(s, 8);
    job.runtime = NullableInt(s, 9);
    job.error = OwnedText(s, 10);
  }

  void Flush() {
    if (!started_) return;
    on_row_(group_);
    ++count_;
    group_.jobs.clear();
    started_ = false;
  }

  std::int64_t count() const { return count_; }

 private:
  const std::function<void(const WideRow&)>& on_row_;
  bool started_ = false;
  std::int64_t batch_id_ = 0;
  WideRow group_;
  std::int64_t count_ = 0;
};

}  // namespace

ExportReader::ExportReader(JobStore& store, ExportFilter filter)
    : store_(store), filter_(std::move(filter)) {
  try {
    // A filter naming no batch or model is a mistake, not an empty export.
    for (const std::string& batch : filter_.batches) {
      RequireBatchId(store_.impl().db, store_.path(), batch);
    }
    for (const std::string& model : filter_.models) {
      RequireModel(store_.impl().db, store_.path(), model, -1);
    }
    // Deferred: the snapshot is taken by the first read and kept until
    // COMMIT, and a read transaction never blocks the writer under WAL.
    store_.impl().db.exec("BEGIN");
  } catch (const SQLite::Exception& e) {
    RethrowStoreError(store_.path(), "begin the export's read transaction", e);
  }
}

ExportReader::~ExportReader() {
  try {
    store_.impl().db.exec("COMMIT");
  } catch (const SQLite::Exception&) {
    // Ending a read-only transaction cannot lose anything; the connection
    // closes with the store anyway.
  }
}

std::vector<std::string> ExportReader::VariableNames() {
  sqlite3* db = store_.impl().db.getHandle();
  const WhereClause where = BuildWhere(filter_);
  // A sweep repeats a few combinations of variables over many jobs: parsing
  // each distinct text once took a seventh of the CPU time of parsing every
  // row's (1,000,000 jobs, 30 combinations).
  const std::string sql =
      std::string("SELECT DISTINCT e.key FROM (SELECT DISTINCT j.vars AS vars") +
      (filter_.states.empty() && !filter_.since ? kFrom : kFromWithState) + where.sql +
      ") AS d, json_each(" + kVarsObject + ") AS e ORDER BY 1";
  try {
    StatementPtr statement = Prepare(db, sql, where.params);
    std::vector<std::string> names;
    while (Step(db, statement.get())) {
      names.emplace_back(Text(statement.get(), 0));
    }
    return names;
  } catch (const SQLite::Exception& e) {
    RethrowStoreError(store_.path(), "list the sweep variables", e);
  }
}

std::int64_t ExportReader::ForEachRow(const std::function<void(const ExportRow&)>& on_row) {
  sqlite3* db = store_.impl().db.getHandle();
  const WhereClause where = BuildWhere(filter_);
  const std::string sql =
      std::string("SELECT ") + kRowColumns + kStreamingFrom + where.sql + " ORDER BY j.id";
  try {
    StatementPtr statement = Prepare(db, sql, where.params);
    std::int64_t count = 0;
    while (Step(db, statement.get())) {
      on_row(ReadRow(statement.get()));
      ++count;
    }
    return count;
  } catch (const SQLite::Exception& e) {
    RethrowStoreError(store_.path(), "read the jobs to export", e);
  }
}

std::vector<std::string> ExportReader::Models() {
  sqlite3* db = store_.impl().db.getHandle();
  const WhereClause where = BuildWhere(filter_);
  const std::string sql = std::string("SELECT j.model") +
                          (filter_.states.empty() && !filter_.since ? kFrom : kFromWithState) +
                          where.sql + " GROUP BY j.model ORDER BY min(j.id)";
  try {
    StatementPtr statement = Prepare(db, sql, where.params);
    std::vector<std::string> models;
    while (Step(db, statement.get())) models.emplace_back(Text(statement.get(), 0));
    return models;
  } catch (const SQLite::Exception& e) {
    RethrowStoreError(store_.path(), "list the models", e);
  }
}

std::int64_t ExportReader::ForEachWideRow(const std::function<void(const WideRow&)>& on_row) {
  sqlite3* db = store_.impl().db.getHandle();
  const WhereClause where = BuildWhere(filter_);
  const std::string sql = std::string(kWideColumns) + kWideFrom + where.sql + kWideOrder;
  try {
    StatementPtr statement = Prepare(db, sql, where.params);
    WideGrouper grouper(on_row);
    while (Step(db, statement.get())) grouper.Add(statement.get());
    grouper.Flush();
    return grouper.count();
  } catch (const SQLite::Exception& e) {
    RethrowStoreError(store_.path(), "read the jobs to export", e);
  }
}

}  // namespace gridbatch::store
