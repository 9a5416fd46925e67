// The report's results table: one row per prompt and repeat, its jobs
// across the models side by side, sampled evenly when there are more rows
// than the page may hold.
#include <utility>

#include "gridbatch/store/report_reader.hpp"
#include "job_store_impl.hpp"

namespace gridbatch::store {
namespace {

// g: every (batch, prompt id, repeat) with its jobs' ids, grouped by SQLite
// (its sorter spills to temporary files, so memory stays flat); n: their
// position in load order; pick: ?2 of them spread evenly, the rn-th taken
// when rn * ?2 / m passes an integer. Only the picked groups' jobs are then
// read, by primary key (CROSS JOIN fixes that loop order), with their
// outputs cut to ?3 characters.
constexpr const char* kRowsSql = R"sql(
WITH g AS (
  SELECT j.batch_id, min(j.id) AS first_id, group_concat(j.id) AS ids
  FROM jobs AS j WHERE ?1 < 0 OR j.batch_id = ?1
  GROUP BY j.batch_id, j.prompt_id, j.repeat_index),
n AS (SELECT ids, row_number() OVER (ORDER BY first_id) AS rn, count(*) OVER () AS m FROM g),
pick AS (SELECT ids, rn, m FROM n WHERE (rn * ?2) / m > ((rn - 1) * ?2) / m)
SELECT p.rn, p.m, b.name, j.prompt_id, j.repeat_index, j.prompt, j.vars, j.model, s.state,
       substr(j.output, 1, ?3), length(j.output), j.runtime, s.last_error, s.attempts
FROM pick AS p CROSS JOIN json_each('[' || p.ids || ']') AS e
  CROSS JOIN jobs AS j ON j.id = e.value
  CROSS JOIN job_state AS s ON s.job_id = j.id
  CROSS JOIN batches AS b ON b.id = j.batch_id
ORDER BY p.rn, j.model, j.id)sql";

std::optional<std::string> NullableText(const SQLite::Column& column) {
  if (column.isNull()) return std::nullopt;
  return column.getString();
}

ReportCell ReadCell(const SQLite::Statement& q) {
  ReportCell cell;
  cell.model = q.getColumn(7).getString();
  cell.state = q.getColumn(8).getString();
  cell.output = NullableText(q.getColumn(9));
  cell.output_chars = q.getColumn(10).getInt64();
  if (!q.getColumn(11).isNull()) cell.runtime = q.getColumn(11).getInt64();
  cell.error = NullableText(q.getColumn(12));
  cell.attempts = q.getColumn(13).getInt64();
  return cell;
}

}  // namespace

std::int64_t ReportReader::ForEachResultRow(
    const std::function<void(const ReportResultRow&)>& on_row) {
  if (options_.max_rows == 0) return 0;
  SQLite::Database& db = store_.impl().db;
  try {
    SQLite::Statement query(db, kRowsSql);
    query.bind(1, batch_id_);
    query.bind(2, static_cast<std::int64_t>(options_.max_rows));
    query.bind(3, static_cast<std::int64_t>(options_.max_output_chars));
    std::int64_t rows = 0;
    ReportResultRow row;
    while (query.executeStep()) {
      const std::int64_t index = query.getColumn(0).getInt64();
      if (index != row.index) {
        if (row.index != 0) {
          on_row(row);
          ++rows;
        }
        row = ReportResultRow{.index = index,
                              .total = query.getColumn(1).getInt64(),
                              .batch = query.getColumn(2).getString(),
                              .prompt_id = query.getColumn(3).getString(),
                              .repeat = query.getColumn(4).getInt64(),
                              .prompt = query.getColumn(5).getString(),
                              .vars = NullableText(query.getColumn(6))};
      }
      row.cells.push_back(ReadCell(query));
    }
    if (row.index != 0) {
      on_row(row);
      ++rows;
    }
    return rows;
  } catch (const SQLite::Exception& e) {
    RethrowStoreError(store_.path(), "read the report's results", e);
  }
}

}  // namespace gridbatch::store
