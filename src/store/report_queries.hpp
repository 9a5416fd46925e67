// Private to the store module: the report's aggregate queries, shared by
// report_reader.cpp (the reader, counts, failures, results rows) and
// report_series.cpp (progress over time and distributions). Each takes the
// selected batch's id, -1 for every batch, and runs inside the reader's
// read transaction.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>

#include "gridbatch/store/report_reader.hpp"

namespace gridbatch::store::report {

// Every query binds the batch id as ?1; -1 (no such id) stands for "all".
inline constexpr const char* kStateBatch = "(?1 < 0 OR s.batch_id = ?1)";

// Runs `sql` with the batch id bound as ?1 and `numbers` as ?2, ?3, ...,
// and calls `on_row` with each row. The C API: a tally reads up to millions
// of rows, and SQLiteCpp's columns cost a shared_ptr copy each. Throws
// SQLite::Exception.
void ForEachRow(SQLite::Database& db, const std::string& sql, std::int64_t batch_id,
                std::initializer_list<double> numbers,
                const std::function<void(sqlite3_stmt*)>& on_row);

// A text column of the current row, valid until the next step.
std::string_view ColumnText(sqlite3_stmt* row, int column);

// Tallies by model name, found without making a string per row.
template <typename T>
using ModelMap = std::map<std::string, T, std::less<>>;

template <typename T>
T& Entry(ModelMap<T>& map, std::string_view model) {
  const auto it = map.find(model);
  if (it != map.end()) return it->second;
  return map.emplace(std::string(model), T{}).first->second;
}

ReportProgress ReadProgress(SQLite::Database& db, std::int64_t batch_id, int buckets,
                            bool all_final);

enum class Quantity { kRuntime, kTurnaround, kOutputLength };
ReportDistribution ReadDistribution(SQLite::Database& db, std::int64_t batch_id, Quantity quantity,
                                    int bins);

}  // namespace gridbatch::store::report
