#include "gridbatch/store/batch_pruner.hpp"

#include <optional>

#include "batch_lookup.hpp"
#include "content_key.hpp"
#include "job_store_impl.hpp"

namespace gridbatch::store {
namespace {

constexpr const char* kCreateKept =
    "CREATE TEMP TABLE prune_kept (key BLOB PRIMARY KEY) WITHOUT ROWID";
constexpr const char* kInsertKept =
    "INSERT INTO temp.prune_kept (key) VALUES (?1) ON CONFLICT DO NOTHING";
// ?1 = batch id.
constexpr const char* kCountUnlisted = R"sql(
  SELECT count(*), count(*) FILTER (WHERE j.output IS NOT NULL OR s.state = 'completed')
  FROM jobs j JOIN job_state s ON s.job_id = j.id
  WHERE j.batch_id = ?1 AND j.content_key NOT IN (SELECT key FROM temp.prune_kept))sql";
constexpr const char* kDeleteUnlisted = R"sql(
  DELETE FROM jobs WHERE batch_id = ?1 AND content_key NOT IN (SELECT key FROM temp.prune_kept))sql";

}  // namespace

class BatchPruner::Impl {
 public:
  Impl(JobStore& store, const std::string& batch)
      : store_(store), db_(store.impl().db), batch_(batch) {
    tx_.emplace(db_, SQLite::TransactionBehavior::IMMEDIATE);
    batch_id_ = RequireBatchId(db_, store.path(), batch);
    db_.exec(kCreateKept);
    insert_.emplace(db_, kInsertKept);
  }

  ~Impl() {
    insert_.reset();
    try {
      if (tx_) tx_.reset();  // rolls back unless committed
      db_.exec("DROP TABLE IF EXISTS temp.prune_kept");
    } catch (const SQLite::Exception&) {
      // A temporary table goes with the connection anyway.
    }
  }

  void Keep(const JobSpec& job) {
    const ContentKey key =
        MakeContentKey(batch_, job.prompt_id, job.prompt, job.model, job.repeat_index);
    insert_->bindNoCopy(1, key.data(), static_cast<int>(key.size()));
    insert_->exec();
    insert_->reset();
  }

  PruneCounts Count() {
    SQLite::Statement count(db_, kCountUnlisted);
    count.bind(1, batch_id_);
    count.executeStep();
    return {.unlisted = static_cast<std::uint64_t>(count.getColumn(0).getInt64()),
            .with_results = static_cast<std::uint64_t>(count.getColumn(1).getInt64())};
  }

  PruneCounts Commit() {
    PruneCounts counts = Count();
    insert_.reset();
    SQLite::Statement remove(db_, kDeleteUnlisted);
    remove.bind(1, batch_id_);
    counts.deleted = static_cast<std::uint64_t>(remove.exec());
    tx_->commit();
    tx_.reset();
    return counts;
  }

  JobStore& store() { return store_; }
  const std::string& batch() const { return batch_; }

 private:
  JobStore& store_;
  SQLite::Database& db_;
  std::string batch_;
  std::int64_t batch_id_ = 0;
  std::optional<SQLite::Transaction> tx_;
  std::optional<SQLite::Statement> insert_;
};

BatchPruner::BatchPruner(JobStore& store, const std::string& batch) {
  try {
    impl_ = std::make_unique<Impl>(store, batch);
  } catch (const SQLite::Exception& e) {
    RethrowStoreError(store.path(), "prune batch '" + batch + "'", e);
  }
}

BatchPruner::~BatchPruner() = default;

void BatchPruner::Keep(const JobSpec& job) {
  try {
    impl_->Keep(job);
  } catch (const SQLite::Exception& e) {
    RethrowStoreError(impl_->store().path(), "prune batch '" + impl_->batch() + "'", e);
  }
}

PruneCounts BatchPruner::Count() {
  try {
    return impl_->Count();
  } catch (const SQLite::Exception& e) {
    RethrowStoreError(impl_->store().path(), "prune batch '" + impl_->batch() + "'", e);
  }
}

PruneCounts BatchPruner::Commit() {
  try {
    return impl_->Commit();
  } catch (const SQLite::Exception& e) {
    RethrowStoreError(impl_->store().path(), "prune batch '" + impl_->batch() + "'", e);
  }
}

}  // namespace gridbatch::store
