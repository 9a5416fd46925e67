#include "gridbatch/store/report_reader.hpp"

#include <sqlite3.h>

#include <map>
#include <set>
#include <utility>

#include "batch_lookup.hpp"
#include "job_store_impl.hpp"
#include "report_queries.hpp"

namespace gridbatch::store {
namespace {

using report::kStateBatch;

// What RunQueue::ResolveUncertain records on a job it submits again.
constexpr const char* kResubmittedUncertain =
    "submit interrupted, outcome unknown: submitted again";

bool AllFinal(const StateCounts& counts) {
  std::int64_t final_jobs = 0;
  for (const JobState state : kAllJobStates) {
    if (IsFinal(state)) final_jobs += counts[state];
  }
  return final_jobs == counts.Total();
}

// Counts per batch, model and state, and jobs per attempts and model, in
// one pass over job_state tallied here, as `status` does: GROUP BY would
// sort every row (report_series.cpp says what that cost).
void ReadCounts(SQLite::Database& db, std::int64_t batch_id, ReportData& data) {
  std::map<std::int64_t, std::size_t> index_of;
  SQLite::Statement batches(db,
                            "SELECT id, name FROM batches WHERE ?1 < 0 OR id = ?1 ORDER BY name");
  batches.bind(1, batch_id);
  while (batches.executeStep()) {
    index_of[batches.getColumn(0).getInt64()] = data.summary.batches.size();
    data.summary.batches.push_back(ReportBatchCounts{.name = batches.getColumn(1).getString()});
  }
  std::map<std::int64_t, report::ModelMap<StateCounts>> counts;      // batch id -> model -> counts
  std::map<std::int64_t, report::ModelMap<std::uint64_t>> attempts;  // attempts -> model -> jobs
  report::ForEachRow(
      db,
      std::string("SELECT s.batch_id, s.model, s.state, min(s.attempts, 20) FROM job_state s"
                  " WHERE ") +
          kStateBatch,
      batch_id, {}, [&](sqlite3_stmt* row) {
        const std::string_view model = report::ColumnText(row, 1);
        const auto state = ParseJobState(report::ColumnText(row, 2));
        // The schema's CHECK admits no other state.
        if (state) ++report::Entry(counts[sqlite3_column_int64(row, 0)], model)[*state];
        ++report::Entry(attempts[sqlite3_column_int64(row, 3)], model);
      });
  for (const auto& [id, models] : counts) {
    ReportBatchCounts& batch = data.summary.batches.at(index_of.at(id));
    for (const auto& [model, model_counts] : models) {
      batch.models.push_back(ReportModelCounts{.model = model, .counts = model_counts});
      for (const JobState state : kAllJobStates) {
        batch.counts[state] += model_counts[state];
        data.summary.totals[state] += model_counts[state];
      }
    }
  }
  for (const auto& [n, models] : attempts) {
    for (const auto& [model, jobs] : models) {
      data.attempts.push_back(ReportAttempts{n, model, jobs});
    }
  }
}

void ReadSubmits(SQLite::Database& db, std::int64_t batch_id, ReportSummary& summary) {
  SQLite::Statement query(
      db, std::string("SELECT total(s.attempts), total(max(s.attempts - 1, 0)),"
                      " count(*) FILTER (WHERE s.last_error = ?2),"
                      " coalesce(min(s.submitted_at), ''), coalesce(max(s.finished_at), ''),"
                      " strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),"
                      " (julianday(max(s.finished_at)) - julianday(min(s.submitted_at))) * 86400,"
                      " (julianday('now') - julianday(min(s.submitted_at))) * 86400"
                      " FROM job_state s WHERE ") +
              kStateBatch);
  query.bind(1, batch_id);
  query.bind(2, kResubmittedUncertain);
  query.executeStep();
  summary.submits = static_cast<std::uint64_t>(query.getColumn(0).getInt64());
  summary.retried_submits = static_cast<std::uint64_t>(query.getColumn(1).getInt64());
  summary.suspected_duplicates = static_cast<std::uint64_t>(query.getColumn(2).getInt64());
  summary.first_submit = query.getColumn(3).getString();
  summary.last_finish = query.getColumn(4).getString();
  summary.snapshot_at = query.getColumn(5).getString();
  summary.uncertain = summary.totals[JobState::kSubmitting];
  // While jobs are not final, the time so far.
  const int wall_column = AllFinal(summary.totals) ? 6 : 7;
  if (!query.getColumn(wall_column).isNull()) {
    summary.wall_seconds = query.getColumn(wall_column).getDouble();
  }
}

// The most frequent reasons in SQL, so that a million distinct errors never
// reach memory: the rest come back as one group with an empty reason.
std::vector<ReportFailure> ReadFailures(SQLite::Database& db, std::int64_t batch_id, int limit) {
  SQLite::Statement query(
      db,
      std::string("WITH f AS (SELECT coalesce(substr(s.last_error, 1, 200), '(no error recorded)')"
                  " AS reason, s.model AS model FROM job_state s WHERE s.state = 'failed' AND ") +
          kStateBatch +
          "), top AS (SELECT reason, count(*) AS n FROM f GROUP BY reason"
          " ORDER BY n DESC, reason LIMIT ?2)"
          " SELECT coalesce(top.reason, ''), f.model, count(*) FROM f LEFT JOIN top USING (reason)"
          " GROUP BY 1, 2 ORDER BY top.reason IS NULL, max(top.n) DESC, 1, 2");
  query.bind(1, batch_id);
  query.bind(2, limit);
  std::vector<ReportFailure> failures;
  while (query.executeStep()) {
    failures.push_back(ReportFailure{query.getColumn(0).getString(), query.getColumn(1).getString(),
                                     static_cast<std::uint64_t>(query.getColumn(2).getInt64())});
  }
  return failures;
}

// As the export lists them (export_reader.cpp): each distinct vars text
// parsed once, only well-formed objects.
std::vector<std::string> ReadVariableNames(SQLite::Database& db, std::int64_t batch_id) {
  SQLite::Statement query(
      db,
      "SELECT DISTINCT e.key FROM (SELECT DISTINCT j.vars AS vars FROM jobs AS j"
      " WHERE ?1 < 0 OR j.batch_id = ?1) AS d,"
      " json_each(CASE WHEN json_valid(d.vars) THEN"
      " CASE WHEN json_type(d.vars) = 'object' THEN d.vars END END) AS e ORDER BY 1");
  query.bind(1, batch_id);
  std::vector<std::string> names;
  while (query.executeStep()) names.push_back(query.getColumn(0).getString());
  return names;
}

std::vector<std::string> ModelNames(const ReportSummary& summary) {
  std::set<std::string> names;
  for (const auto& batch : summary.batches) {
    for (const auto& model : batch.models) names.insert(model.model);
  }
  return {names.begin(), names.end()};
}

// Ends the read transaction, if one is open. Ending a read-only
// transaction cannot lose anything, so a failure is of no consequence.
void EndTransaction(SQLite::Database& db) noexcept {
  try {
    if (!db.getHandle() || sqlite3_get_autocommit(db.getHandle()) == 0) db.exec("COMMIT");
  } catch (const SQLite::Exception&) {
  }
}

}  // namespace

ReportReader::ReportReader(JobStore& store, ReportOptions options)
    : store_(store), options_(std::move(options)) {
  SQLite::Database& db = store_.impl().db;
  try {
    // Deferred: the snapshot is taken by the first read and kept until
    // COMMIT; under WAL a reader never blocks the writer.
    db.exec("BEGIN");
    if (options_.batch) batch_id_ = RequireBatchId(db, store_.path(), *options_.batch);
  } catch (const SQLite::Exception& e) {
    EndTransaction(db);
    RethrowStoreError(store_.path(), "begin the report's read transaction", e);
  } catch (...) {
    EndTransaction(db);  // no destructor runs for a constructor that throws
    throw;
  }
}

ReportReader::~ReportReader() {
  EndTransaction(store_.impl().db);
}

ReportData ReportReader::ReadAggregates() {
  SQLite::Database& db = store_.impl().db;
  try {
    ReportData data;
    ReadCounts(db, batch_id_, data);
    ReadSubmits(db, batch_id_, data.summary);
    data.models = ModelNames(data.summary);
    data.variable_names = ReadVariableNames(db, batch_id_);
    data.progress =
        report::ReadProgress(db, batch_id_, options_.time_buckets, AllFinal(data.summary.totals));
    const int bins = options_.histogram_bins;
    data.runtime = report::ReadDistribution(db, batch_id_, report::Quantity::kRuntime, bins);
    data.turnaround = report::ReadDistribution(db, batch_id_, report::Quantity::kTurnaround, bins);
    data.output_length =
        report::ReadDistribution(db, batch_id_, report::Quantity::kOutputLength, bins);
    data.failures = ReadFailures(db, batch_id_, options_.max_failure_reasons);
    return data;
  } catch (const SQLite::Exception& e) {
    RethrowStoreError(store_.path(), "read the report", e);
  }
}

}  // namespace gridbatch::store
