#include "gridbatch/batch_loader.hpp"

#include <optional>
#include <string>

#include "content_key.hpp"
#include "gridbatch/error.hpp"
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

constexpr const char* kMarkSeen = R"sql(
  UPDATE jobs SET load_serial = ?1 WHERE content_key = ?2 AND load_serial <> ?1)sql";

constexpr const char* kCreateSeenTable =
    "CREATE TEMP TABLE load_seen (key BLOB PRIMARY KEY) WITHOUT ROWID";

constexpr const char* kInsertSeen =
    "INSERT INTO temp.load_seen (key) VALUES (?1) ON CONFLICT DO NOTHING";

// Appends `text` as a JSON string. The manifest has checked that it is UTF-8,
// so only quotes, backslashes and control characters need escaping.
void AppendJsonString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out.append("\\n");
    } else if (c == '\t') {
      out.append("\\t");
    } else if (c == '\r') {
      out.append("\\r");
    } else if (byte < 0x20) {
      out.append("\\u00");
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xf]);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

// `vars` as a JSON object in declaration order, into `out` (reused, so the
// hot path does not allocate once it has grown).
void FormatVars(const JobSpec& job, std::string& out) {
  out.clear();
  out.push_back('{');
  for (const auto& [name, value] : job.vars) {
    if (out.size() > 1) out.push_back(',');
    AppendJsonString(out, name);
    out.push_back(':');
    AppendJsonString(out, value);
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
    SQLite::Statement count(db_, "SELECT count(*) FROM jobs WHERE batch_id = ?");
    count.bind(1, batch_id_);
    count.executeStep();
    const auto in_batch = static_cast<std::uint64_t>(count.getColumn(0).getInt64());
    count.reset();
    const bool seen_table =
        mark_ && options_.seen_tracking == LoadOptions::SeenTracking::kTempTable;
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
