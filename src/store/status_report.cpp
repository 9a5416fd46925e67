#include "gridbatch/status_report.hpp"

#include <map>

#include "batch_lookup.hpp"
#include "job_store_impl.hpp"

namespace gridbatch::store {
namespace {

// A batch filter as SQL: every query below takes the batch id as ?1, and
// -1 (no such id) stands for "all batches".
constexpr const char* kBatchClause = "(?1 < 0 OR batch_id = ?1)";

std::string Text(const SQLite::Column& column) {
  return column.isNull() ? std::string() : column.getString();
}

std::vector<BatchStatus> ReadBatches(SQLite::Database& db, std::int64_t batch_id) {
  SQLite::Statement query(db, R"sql(
    SELECT name, app, hours, manifest_path, updated_at FROM batches
    WHERE ?1 < 0 OR id = ?1 ORDER BY name)sql");
  query.bind(1, batch_id);
  std::vector<BatchStatus> batches;
  while (query.executeStep()) {
    BatchStatus batch;
    batch.name = query.getColumn(0).getString();
    batch.app = query.getColumn(1).getString();
    if (!query.getColumn(2).isNull()) batch.hours = query.getColumn(2).getDouble();
    batch.manifest_path = Text(query.getColumn(3));
    batch.updated_at = query.getColumn(4).getString();
    batches.push_back(std::move(batch));
  }
  return batches;
}

// Fills the per-model counts; the GROUP BY walks the (batch_id, model, state)
// index, so this reads no job rows.
void ReadCounts(SQLite::Database& db, std::int64_t batch_id, StatusReport& report) {
  std::map<std::string, BatchStatus*> by_name;
  for (auto& batch : report.batches) by_name[batch.name] = &batch;
  SQLite::Statement query(db, std::string(R"sql(
    SELECT b.name, j.model, j.state, count(*) FROM jobs j JOIN batches b ON b.id = j.batch_id
    WHERE )sql") + kBatchClause + " GROUP BY j.batch_id, j.model, j.state ORDER BY b.name, j.model");
  query.bind(1, batch_id);
  while (query.executeStep()) {
    BatchStatus& batch = *by_name.at(query.getColumn(0).getString());
    const std::string model = query.getColumn(1).getString();
    if (batch.models.empty() || batch.models.back().model != model) {
      batch.models.push_back(ModelStatus{model, {}});
    }
    const auto state = ParseJobState(query.getColumn(2).getString());
    const auto count = static_cast<std::uint64_t>(query.getColumn(3).getInt64());
    if (!state) continue;  // the schema's CHECK admits no other state
    batch.models.back().counts[*state] += count;
    batch.counts[*state] += count;
    report.totals[*state] += count;
  }
}

void ReadUncertain(SQLite::Database& db, std::int64_t batch_id, std::size_t limit,
                   StatusReport& report) {
  report.uncertain_count = report.totals[JobState::kSubmitting];
  SQLite::Statement query(db, std::string(R"sql(
    SELECT b.name, j.prompt_id, j.model, j.repeat_index, j.attempts, j.updated_at
    FROM jobs j JOIN batches b ON b.id = j.batch_id
    WHERE j.state = 'submitting' AND )sql") + kBatchClause + " ORDER BY j.updated_at, j.id LIMIT ?2");
  query.bind(1, batch_id);
  query.bind(2, static_cast<std::int64_t>(limit));
  while (query.executeStep()) {
    report.uncertain.push_back(UncertainJob{
        query.getColumn(0).getString(), query.getColumn(1).getString(),
        query.getColumn(2).getString(), query.getColumn(3).getInt(), query.getColumn(4).getInt(),
        query.getColumn(5).getString()});
  }
}

// Uses the partial index jobs_errors, so the cost follows the number of jobs
// with an error, not the size of the table.
void ReadErrors(SQLite::Database& db, std::int64_t batch_id, std::size_t limit,
                StatusReport& report) {
  SQLite::Statement query(db, std::string(R"sql(
    SELECT last_error, count(*), max(updated_at) FROM jobs
    WHERE last_error IS NOT NULL AND state <> 'completed' AND )sql") + kBatchClause +
                                  " GROUP BY last_error ORDER BY 3 DESC, 2 DESC, 1 LIMIT ?2");
  query.bind(1, batch_id);
  query.bind(2, static_cast<std::int64_t>(limit));
  while (query.executeStep()) {
    report.recent_errors.push_back(ErrorSummary{
        query.getColumn(0).getString(), static_cast<std::uint64_t>(query.getColumn(1).getInt64()),
        query.getColumn(2).getString()});
  }
}

}  // namespace

std::uint64_t StateCounts::Total() const {
  std::uint64_t total = 0;
  for (const auto count : by_state) total += count;
  return total;
}

StatusReport BuildStatusReport(JobStore& store, const StatusOptions& options) {
  SQLite::Database& db = store.impl().db;
  try {
    SQLite::Transaction snapshot(db, SQLite::TransactionBehavior::DEFERRED);
    const std::int64_t batch_id =
        options.batch ? RequireBatchId(db, store.path(), *options.batch) : -1;
    StatusReport report;
    report.batches = ReadBatches(db, batch_id);
    ReadCounts(db, batch_id, report);
    ReadUncertain(db, batch_id, options.max_uncertain, report);
    ReadErrors(db, batch_id, options.max_errors, report);
    snapshot.commit();
    return report;
  } catch (const SQLite::Exception& e) {
    RethrowStoreError(store.path(), "read status", e);
  }
}

}  // namespace gridbatch::store
