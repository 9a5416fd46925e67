#include "gridbatch/store/status_report.hpp"

#include <map>
#include <utility>

#include "batch_lookup.hpp"
#include "job_store_impl.hpp"

namespace gridbatch::store {
namespace {

// A batch filter as SQL: every query below takes the batch id as ?1, and
// -1 (no such id) stands for "all batches".
constexpr const char* kBatchClause = "(?1 < 0 OR s.batch_id = ?1)";

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

// Fills the per-model counts by tallying one pass over job_state, which
// holds batch, model and state side by side; nothing indexes the state (it
// would move on every state change), and GROUP BY would sort every row.
void ReadCounts(SQLite::Database& db, std::int64_t batch_id, StatusReport& report) {
  std::map<std::int64_t, BatchStatus*> by_id;
  {
    std::map<std::string, BatchStatus*> by_name;
    for (auto& batch : report.batches) by_name[batch.name] = &batch;
    SQLite::Statement ids(db, "SELECT id, name FROM batches WHERE ?1 < 0 OR id = ?1");
    ids.bind(1, batch_id);
    while (ids.executeStep()) {
      by_id[ids.getColumn(0).getInt64()] = by_name.at(ids.getColumn(1).getString());
    }
  }
  // (batch id, model) -> counts, in the order the report lists them.
  std::map<std::pair<std::int64_t, std::string>, StateCounts> tallies;
  SQLite::Statement query(
      db, std::string("SELECT batch_id, model, state FROM job_state s WHERE ") + kBatchClause);
  query.bind(1, batch_id);
  std::pair<std::int64_t, std::string> key;
  StateCounts* tally = nullptr;
  while (query.executeStep()) {
    const std::int64_t id = query.getColumn(0).getInt64();
    const char* model = query.getColumn(1).getText();
    if (tally == nullptr || key.first != id || key.second != model) {
      key = {id, model};
      tally = &tallies[key];
    }
    const auto state = ParseJobState(query.getColumn(2).getText());
    if (state) ++(*tally)[*state];  // the schema's CHECK admits no other state
  }
  for (const auto& [group, counts] : tallies) {
    BatchStatus& batch = *by_id.at(group.first);
    batch.models.push_back(ModelStatus{group.second, {}});
    for (const JobState state : kAllJobStates) {
      const std::int64_t count = counts[state];
      if (count == 0) continue;
      batch.models.back().counts[state] += count;
      batch.counts[state] += count;
      report.totals[state] += count;
    }
  }
}

void ReadUncertain(SQLite::Database& db, std::int64_t batch_id, std::size_t limit,
                   StatusReport& report) {
  report.uncertain_count = static_cast<std::uint64_t>(report.totals[JobState::kSubmitting]);
  SQLite::Statement query(db, std::string(R"sql(
    SELECT b.name, j.prompt_id, j.model, j.repeat_index, s.attempts, s.updated_at
    FROM job_state s JOIN jobs j ON j.id = s.job_id JOIN batches b ON b.id = s.batch_id
    WHERE s.state = 'submitting' AND )sql") +
                                  kBatchClause + " ORDER BY s.updated_at, s.job_id LIMIT ?2");
  query.bind(1, batch_id);
  query.bind(2, static_cast<std::int64_t>(limit));
  while (query.executeStep()) {
    report.uncertain.push_back(
        UncertainJob{query.getColumn(0).getString(), query.getColumn(1).getString(),
                     query.getColumn(2).getString(), query.getColumn(3).getInt(),
                     query.getColumn(4).getInt(), query.getColumn(5).getString()});
  }
}

// Uses the partial index job_state_errors, so the cost follows the number of jobs
// with an error, not the size of the table.
void ReadErrors(SQLite::Database& db, std::int64_t batch_id, std::size_t limit,
                StatusReport& report) {
  SQLite::Statement query(db, std::string(R"sql(
    SELECT last_error, count(*), max(updated_at) FROM job_state s
    WHERE last_error IS NOT NULL AND state <> 'completed' AND )sql") +
                                  kBatchClause +
                                  " GROUP BY last_error ORDER BY 3 DESC, 2 DESC, 1 LIMIT ?2");
  query.bind(1, batch_id);
  query.bind(2, static_cast<std::int64_t>(limit));
  while (query.executeStep()) {
    report.recent_errors.push_back(ErrorSummary{
        query.getColumn(0).getString(), static_cast<std::uint64_t>(query.getColumn(1).getInt64()),
        query.getColumn(2).getString()});
  }
}

// The models the last run held (holds, schema 5), on each batch's row of
// that model that still has pending jobs.
void ReadHolds(SQLite::Database& db, StatusReport& report) {
  SQLite::Statement query(db, "SELECT model, reason, held_at FROM holds");
  while (query.executeStep()) {
    const std::string model = query.getColumn(0).getString();
    for (auto& batch : report.batches) {
      for (auto& row : batch.models) {
        if (row.model != model || row.counts[JobState::kPending] == 0) continue;
        row.held_reason = query.getColumn(1).getString();
        row.held_at = query.getColumn(2).getString();
      }
    }
  }
}

}  // namespace

StatusReport BuildStatusReport(JobStore& store, const StatusOptions& options) {
  SQLite::Database& db = store.impl().db;
  try {
    SQLite::Transaction snapshot(db, SQLite::TransactionBehavior::DEFERRED);
    const std::int64_t batch_id =
        options.batch ? RequireBatchId(db, store.path(), *options.batch) : -1;
    StatusReport report;
    report.batches = ReadBatches(db, batch_id);
    ReadCounts(db, batch_id, report);
    ReadHolds(db, report);
    ReadUncertain(db, batch_id, options.max_uncertain, report);
    ReadErrors(db, batch_id, options.max_errors, report);
    snapshot.commit();
    return report;
  } catch (const SQLite::Exception& e) {
    RethrowStoreError(store.path(), "read status", e);
  }
}

}  // namespace gridbatch::store
