// The report's series: cumulative progress over time, and the runtime,
// turnaround and output-length distributions. SQLite computes each row's
// group (its time slice, or its fine logarithmic bin) in one pass over the
// table; the groups are tallied here, as `status` tallies its counts: a
// GROUP BY would sort every row first (1.2 s of the 1.5 s a million jobs'
// turnaround took). What is kept is a few thousand tallies at most,
// whatever the number of jobs.
#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "report_queries.hpp"

namespace gridbatch::store::report {
namespace {

constexpr double kSecondsPerDay = 86400.0;

// Each job's submit and finish slice, one scan; a NULL slice is no event.
void CountSlices(SQLite::Database& db, std::int64_t batch_id, double start, double slice_days,
                 int buckets, ModelMap<ReportProgress::Series>& by_model) {
  constexpr const char* kSlice =
      "min(?2 - 1, max(0, CAST((julianday(s.{}) - ?3) / ?4 AS INTEGER)))";
  const auto slice = [&](const std::string& column) {
    std::string sql = kSlice;
    return sql.replace(sql.find("{}"), 2, column);
  };
  const std::string sql = "SELECT s.model, " + slice("submitted_at") + ", " + slice("finished_at") +
                          " FROM job_state s WHERE s.submitted_at IS NOT NULL AND " + kStateBatch;
  const auto size = static_cast<std::size_t>(buckets);
  ForEachRow(db, sql, batch_id, {static_cast<double>(buckets), start, slice_days},
             [&](sqlite3_stmt* row) {
               ReportProgress::Series& series = Entry(by_model, ColumnText(row, 0));
               if (series.submitted.empty()) {
                 series.submitted.resize(size);
                 series.finished.resize(size);
               }
               ++series.submitted[static_cast<std::size_t>(sqlite3_column_int(row, 1))];
               if (sqlite3_column_type(row, 2) != SQLITE_NULL) {
                 ++series.finished[static_cast<std::size_t>(sqlite3_column_int(row, 2))];
               }
             });
}

void Accumulate(std::vector<std::uint64_t>& slices) {
  for (std::size_t i = 1; i < slices.size(); ++i) slices[i] += slices[i - 1];
}

// A fine bin: values whose ln(1 + x / resolution) rounds to the same
// hundredth, about 1 % wide.
struct FineBin {
  std::uint64_t count = 0;
  double min = 0, max = 0;
};

struct QuantitySql {
  const char* value;  // over j (jobs) and s (job_state)
  const char* from_where;
  double resolution;
};

QuantitySql SqlFor(Quantity quantity) {
  // The scan of jobs goes in rowid order with primary-key lookups of the
  // state row, as export does (see export_reader.cpp).
  constexpr const char* kJobsWithState =
      " FROM jobs AS j NOT INDEXED CROSS JOIN job_state AS s ON s.job_id = j.id WHERE"
      " s.state = 'completed' AND ";
  switch (quantity) {
    case Quantity::kRuntime:
      return {"j.runtime", kJobsWithState, 0.001};
    case Quantity::kTurnaround:
      return {"(julianday(s.finished_at) - julianday(s.submitted_at)) * 86400.0",
              " FROM job_state AS s WHERE (s.state = 'completed' OR s.state = 'failed') AND ",
              0.001};
    case Quantity::kOutputLength:
      return {"length(j.output)", kJobsWithState, 1.0};
  }
  return {"NULL", " FROM job_state AS s WHERE ", 1.0};
}

std::map<std::string, std::vector<FineBin>> ReadFineBins(SQLite::Database& db,
                                                         std::int64_t batch_id, Quantity quantity) {
  const QuantitySql q = SqlFor(quantity);
  const std::string sql =
      std::string(
          "SELECT model, CAST(round(ln(1.0 + x / ?2) * 100.0) AS INTEGER), x FROM (SELECT"
          " s.model AS model, ") +
      q.value + " AS x" + q.from_where + kStateBatch + ") WHERE x >= 0";
  ModelMap<std::map<std::int64_t, FineBin>> tallies;
  ForEachRow(db, sql, batch_id, {q.resolution}, [&](sqlite3_stmt* row) {
    FineBin& bin = Entry(tallies, ColumnText(row, 0))[sqlite3_column_int64(row, 1)];
    const double x = sqlite3_column_double(row, 2);
    if (bin.count == 0 || x < bin.min) bin.min = x;
    if (bin.count == 0 || x > bin.max) bin.max = x;
    ++bin.count;
  });
  std::map<std::string, std::vector<FineBin>> by_model;
  for (const auto& [model, bins] : tallies) {
    std::vector<FineBin>& sorted = by_model[model];
    for (const auto& [key, bin] : bins) sorted.push_back(bin);
  }
  return by_model;
}

// The nearest-rank percentile: the largest value of the fine bin holding
// the ceil(p * n)-th smallest value.
double Percentile(const std::vector<FineBin>& bins, std::uint64_t count, double p) {
  const auto rank = static_cast<std::uint64_t>(std::ceil(p * static_cast<double>(count)));
  std::uint64_t seen = 0;
  for (const FineBin& bin : bins) {
    seen += bin.count;
    if (seen >= rank) return bin.max;
  }
  return bins.empty() ? 0 : bins.back().max;
}

ReportDistribution::Model Summarize(const std::string& model, const std::vector<FineBin>& bins) {
  ReportDistribution::Model m{.model = model};
  for (const FineBin& bin : bins) m.count += bin.count;
  m.min = bins.front().min;
  m.max = bins.back().max;
  m.p50 = Percentile(bins, m.count, 0.50);
  m.p90 = Percentile(bins, m.count, 0.90);
  m.p99 = Percentile(bins, m.count, 0.99);
  return m;
}

}  // namespace

ReportProgress ReadProgress(SQLite::Database& db, std::int64_t batch_id, int buckets,
                            bool all_final) {
  SQLite::Statement range(db,
                          std::string("SELECT min(s.submitted_at), julianday(min(s.submitted_at)),"
                                      " julianday(max(s.submitted_at)),"
                                      " julianday(max(s.finished_at)), julianday('now')"
                                      " FROM job_state s WHERE ") +
                              kStateBatch);
  range.bind(1, batch_id);
  range.executeStep();
  ReportProgress progress;
  if (range.getColumn(0).isNull()) return progress;
  progress.start = range.getColumn(0).getString();
  const double start = range.getColumn(1).getDouble();
  double end = range.getColumn(2).getDouble();
  if (!range.getColumn(3).isNull()) end = std::max(end, range.getColumn(3).getDouble());
  // While jobs are not final the chart runs to the snapshot.
  if (!all_final) end = std::max(end, range.getColumn(4).getDouble());
  const double slice_days = std::max(end - start, 1.0 / kSecondsPerDay) / buckets;
  progress.bucket_seconds = slice_days * kSecondsPerDay;

  ModelMap<ReportProgress::Series> by_model;
  CountSlices(db, batch_id, start, slice_days, buckets, by_model);
  for (auto& [model, series] : by_model) {
    series.model = model;
    Accumulate(series.submitted);
    Accumulate(series.finished);
    progress.models.push_back(std::move(series));
  }
  return progress;
}

ReportDistribution ReadDistribution(SQLite::Database& db, std::int64_t batch_id, Quantity quantity,
                                    int bins) {
  const auto fine = ReadFineBins(db, batch_id, quantity);
  ReportDistribution d;
  if (fine.empty()) return d;
  for (const auto& [model, model_bins] : fine) d.models.push_back(Summarize(model, model_bins));
  d.low = d.models.front().min;
  d.high = 0;
  for (const auto& m : d.models) {
    d.low = std::min(d.low, m.min);
    d.high = std::max(d.high, m.p99);
  }
  if (quantity == Quantity::kTurnaround) {
    if (d.high <= d.low) d.high = d.low + 1;
    d.bin_width = (d.high - d.low) / bins;
  } else {
    // Whole numbers (seconds, characters): bins of a whole width, no more
    // than the values need, [low, low + width) each.
    d.bin_width = std::max(1.0, std::ceil((d.high - d.low + 1) / bins));
    bins = static_cast<int>(std::floor((d.high - d.low) / d.bin_width)) + 1;
    d.high = d.low + bins * d.bin_width;
    d.integral = true;
  }
  for (auto& m : d.models) {
    m.bins.assign(static_cast<std::size_t>(bins), 0);
    for (const FineBin& bin : fine.at(m.model)) {
      const double middle = (bin.min + bin.max) / 2;
      const auto index = static_cast<int>(std::floor((middle - d.low) / d.bin_width));
      m.bins[static_cast<std::size_t>(std::clamp(index, 0, bins - 1))] += bin.count;
    }
  }
  for (const auto& m : d.models) {
    d.last_bin_open = d.last_bin_open || (d.integral ? m.max >= d.high : m.max > d.high);
  }
  return d;
}

void ForEachRow(SQLite::Database& db, const std::string& sql, std::int64_t batch_id,
                std::initializer_list<double> numbers,
                const std::function<void(sqlite3_stmt*)>& on_row) {
  sqlite3* handle = db.getHandle();
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(handle, sql.c_str(), static_cast<int>(sql.size()), &raw, nullptr);
  const std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> statement(raw,
                                                                             &sqlite3_finalize);
  if (rc != SQLITE_OK) throw SQLite::Exception(handle, rc);
  sqlite3_bind_int64(raw, 1, batch_id);
  int index = 2;
  for (const double number : numbers) sqlite3_bind_double(raw, index++, number);
  while ((rc = sqlite3_step(raw)) == SQLITE_ROW) on_row(raw);
  if (rc != SQLITE_DONE) throw SQLite::Exception(handle, rc);
}

std::string_view ColumnText(sqlite3_stmt* row, int column) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(row, column));
  if (text == nullptr) return {};
  return {text, static_cast<std::size_t>(sqlite3_column_bytes(row, column))};
}

}  // namespace gridbatch::store::report
