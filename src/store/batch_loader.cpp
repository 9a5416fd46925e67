#include "gridbatch/batch_loader.hpp"

#include <optional>
#include <string>

#include "content_key.hpp"
#include "gridbatch/error.hpp"
#include "gridbatch/json_escape.hpp"
#include "gridbatch/time_format.hpp"
#include "job_store_impl.hpp"

namespace gridbatch::store {
namespace {

constexpr const char* kUpsertBatch = R"sql(
  INSERT INTO batches (name, app, hours, manifest_path, created_at, updated_at, load_serial)
  VALUES (?1, ?2, ?3, ?4, ?5, ?5, 1)
  ON CONFLICT (name) DO UPDATE SET
    app = excluded.app, hours = excluded.hours, manifest_path = excluded.manifest_path,
    updated_at = excluded.updated_at, load_serial = batches.load_serial + 1
  RETURNING id, load_serial)sql";

constexpr const char* kInsertJob = R"sql(
  INSERT INTO jobs (batch_id, content_key, prompt_id, model, prompt, vars, repeat_index,
                    created_at, load_serial)
  VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
  ON CONFLICT (content_key) DO NOTHING)sql";

// The variables are not part of the content key: a job loaded again keeps
// its identity and takes the manifest's variables (a database loaded before
// schema version 3 held every value as a string).
constexpr const char* kRefreshVars = R"sql(
  UPDATE jobs SET vars = ?2 WHERE content_key = ?1 AND vars IS NOT ?2)sql";

constexpr const char* kMarkSeen = R"sql(
  UPDATE jobs SET load_serial = ?1 WHERE content_key = ?2 AND load_serial <> ?1)sql";

constexpr const char* kCreateSeenTable =
    "CREATE TEMP TABLE load_seen (key BLOB PRIMARY KEY) WITHOUT ROWID";

constexpr const char* kInsertSeen = "INSERT INTO temp.load_seen (key) VALUES (?1) ON CONFLICT DO NOTHING";

// `vars` as a JSON object in declaration order, each value with its JSON
// type, into `out` (reused, so the hot path does not allocate once it has
// grown). The manifest has checked that a kNumber value is a JSON number.
void FormatVars(const JobSpec& job, std::string& out) {
  out.clear();
  out.push_back('{');
  for (const SweepVar& var : job.vars) {
    if (out.size() > 1) out.push_back(',');
    AppendJsonString(out, var.name);
    out.push_back(':');
    if (var.type == VarType::kNumber) {
      out.append(var.value);
    } else if (var.type == VarType::kBoolean) {
      out.append(var.value.front() == 'f' || var.value.front() == 'F' ? "false" : "true");
    } else {
      AppendJsonString(out, var.value);
    }
  }
  out.push_back('}');
}

}  // namespace

class BatchLoader::Impl {
 public:
  Impl(JobStore& store, const BatchSpec& batch, const Clock& clock, LoadOptions options)
      : store_(store),
        db_(store.impl().db),
        batch_name_(batch.name),
        options_(options),
        now_(FormatIsoUtc(clock.Now())) {
    saved_cache_size_ = db_.execAndGet("PRAGMA cache_size").getInt();
    db_.exec("PRAGMA cache_size = -" + std::to_string(options_.cache_kib));
    tx_.emplace(db_, SQLite::TransactionBehavior::IMMEDIATE);
    UpsertBatch(batch);
    insert_.emplace(db_, kInsertJob);
    insert_->bind(1, batch_id_);
    insert_->bindNoCopy(8, now_);
    insert_->bind(9, serial_);
    StartTracking();
  }

  ~Impl() {
    // Statements first: a rollback or a cache change waits for none of them.
    insert_.reset();
    mark_.reset();
    refresh_.reset();
    tx_.reset();  // rolls back unless committed
    try {
      db_.exec("PRAGMA cache_size = " + std::to_string(saved_cache_size_));
      if (saved_temp_cache_size_) {
        db_.exec("PRAGMA temp.cache_size = " + std::to_string(*saved_temp_cache_size_));
      }
    } catch (const SQLite::Exception&) {
      // Only the cache size is lost; the connection is closed soon after.
    }
  }

  void Add(const JobSpec& job) {
    const ContentKey key =
        MakeContentKey(batch_name_, job.prompt_id, job.prompt, job.model, job.repeat_index);
    insert_->bindNoCopy(2, key.data(), static_cast<int>(key.size()));
    insert_->bindNoCopy(3, job.prompt_id);
    insert_->bindNoCopy(4, job.model);
    insert_->bindNoCopy(5, job.prompt);
    if (job.vars.empty()) {
      insert_->bind(6);
    } else {
      FormatVars(job, vars_json_);
      insert_->bindNoCopy(6, vars_json_);
    }
    insert_->bind(7, job.repeat_index);
    const bool added = insert_->exec() == 1;
    insert_->reset();
    counts_.added += added ? 1 : 0;
    if (!added && !first_load_) RefreshVars(key, job);
    if (first_load_ ||
        (added && options_.seen_tracking == LoadOptions::SeenTracking::kLoadSerial)) {
      counts_.listed += added ? 1 : 0;  // inserted with this load's serial already
      return;
    }
    mark_->bindNoCopy(mark_key_index_, key.data(), static_cast<int>(key.size()));
    counts_.listed += static_cast<std::uint64_t>(mark_->exec());
    mark_->reset();
  }

  LoadCounts Commit() {
    insert_.reset();
    refresh_.reset();
    SQLite::Statement count(db_, "SELECT count(*) FROM jobs WHERE batch_id = ?");
    count.bind(1, batch_id_);
    count.executeStep();
    const auto in_batch = static_cast<std::uint64_t>(count.getColumn(0).getInt64());
    count.reset();
    const bool seen_table = mark_ && options_.seen_tracking == LoadOptions::SeenTracking::kTempTable;
    mark_.reset();
    if (seen_table) db_.exec("DROP TABLE temp.load_seen");
    tx_->commit();
    counts_.already_present = counts_.listed - counts_.added;
    counts_.no_longer_listed = in_batch - counts_.listed;
    return counts_;
  }

  JobStore& store() { return store_; }
  const std::string& batch_name() const { return batch_name_; }

 private:
  // Gives the existing job of `key` the variables Add() formatted for `job`.
  void RefreshVars(const ContentKey& key, const JobSpec& job) {
    if (!refresh_) refresh_.emplace(db_, kRefreshVars);
    refresh_->bindNoCopy(1, key.data(), static_cast<int>(key.size()));
    if (job.vars.empty()) {
      refresh_->bind(2);
    } else {
      refresh_->bindNoCopy(2, vars_json_);
    }
    refresh_->exec();
    refresh_->reset();
  }

  // A batch's first load needs no tracking: a key that is already there can
  // only be a job listed twice in this load.
  void StartTracking() {
    first_load_ = !db_.execAndGet("SELECT EXISTS (SELECT 1 FROM jobs WHERE batch_id = " +
                                  std::to_string(batch_id_) + ")")
                       .getInt();
    if (first_load_) return;
    if (options_.seen_tracking == LoadOptions::SeenTracking::kTempTable) {
      saved_temp_cache_size_ = db_.execAndGet("PRAGMA temp.cache_size").getInt();
      db_.exec("PRAGMA temp.cache_size = -" + std::to_string(options_.cache_kib / 4));
      db_.exec(kCreateSeenTable);
      mark_.emplace(db_, kInsertSeen);
      mark_key_index_ = 1;
    } else {
      mark_.emplace(db_, kMarkSeen);
      mark_->bind(1, serial_);
    }
  }

  void UpsertBatch(const BatchSpec& batch) {
    SQLite::Statement upsert(db_, kUpsertBatch);
    upsert.bind(1, batch.name);
    upsert.bind(2, batch.app);
    if (batch.hours) {
      upsert.bind(3, *batch.hours);
    } else {
      upsert.bind(3);
    }
    if (batch.manifest_path.empty()) {
      upsert.bind(4);
    } else {
      upsert.bind(4, batch.manifest_path);
    }
    upsert.bind(5, now_);
    upsert.executeStep();
    batch_id_ = upsert.getColumn(0).getInt64();
    serial_ = upsert.getColumn(1).getInt64();
  }

  JobStore& store_;
  SQLite::Database& db_;
  std::string batch_name_;
  LoadOptions options_;
  std::string now_;
  int saved_cache_size_ = 0;
  std::optional<int> saved_temp_cache_size_;
  bool first_load_ = false;
  std::optional<SQLite::Transaction> tx_;
  std::optional<SQLite::Statement> insert_;
  std::optional<SQLite::Statement> mark_;
  std::optional<SQLite::Statement> refresh_;
  int mark_key_index_ = 2;  // where mark_ takes the content key
  std::int64_t batch_id_ = 0;
  std::int64_t serial_ = 0;
  std::string vars_json_;
  LoadCounts counts_;
};

BatchLoader::BatchLoader(JobStore& store, const BatchSpec& batch, const Clock& clock,
                         LoadOptions options) {
  try {
    impl_ = std::make_unique<Impl>(store, batch, clock, options);
  } catch (const SQLite::Exception& e) {
    RethrowStoreError(store.path(), "load batch '" + batch.name + "'", e);
  }
}

BatchLoader::~BatchLoader() = default;

void BatchLoader::Add(const JobSpec& job) {
  try {
    impl_->Add(job);
  } catch (const SQLite::Exception& e) {
    RethrowStoreError(impl_->store().path(), "load batch '" + impl_->batch_name() + "'", e);
  }
}

LoadCounts BatchLoader::Commit() {
  try {
    return impl_->Commit();
  } catch (const SQLite::Exception& e) {
    RethrowStoreError(impl_->store().path(), "load batch '" + impl_->batch_name() + "'", e);
  }
}

}  // namespace gridbatch::store
