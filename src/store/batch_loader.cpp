#include "gridbatch/store/batch_loader.hpp"

#include <optional>
#include <string>
#include <vector>

#include "content_key.hpp"
#include "gridbatch/error.hpp"
#include "gridbatch/util/json_escape.hpp"
#include "gridbatch/util/time_format.hpp"
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

// Jobs go in with INSERT OR IGNORE, foreign-key enforcement off for the load
// (restored after it): an insert that can neither fail midway (every
// constraint IGNOREs, the trigger's insert inherits it, and no foreign key
// is checked) needs no statement journal. With one, SQLite saved every
// existing page each insert touched, once per insert, and once the page
// cache was full wrote them all to a temporary file: 1.46 million writes
// for 300,000 jobs (docs/BENCHMARKS.md, "Load"). The loader makes both
// references itself: batch_id is the row it upserted, the trigger's
// job_state row takes the new job's id. A key already there is the only
// conflict the values it binds can meet.
//
// A batch's first load inserts kRowsPerInsert jobs per statement: SQLite
// then starts a statement, and opens the table's and indexes' cursors, once
// per 32 rows rather than for each.
constexpr int kRowsPerInsert = 32;
constexpr int kColumnsPerRow = 9;  // parameters of one row, in this order:
//  1 batch_id, 2 content_key, 3 prompt_id, 4 model, 5 prompt, 6 vars,
//  7 repeat_index, 8 created_at, 9 load_serial

// INSERT of `rows` jobs; row r takes parameters r * 9 + 1 to r * 9 + 9.
std::string InsertJobsSql(int rows) {
  std::string sql =
      "INSERT OR IGNORE INTO jobs (batch_id, content_key, prompt_id, model, prompt, vars,"
      " repeat_index,"
      " created_at, load_serial) VALUES ";
  for (int r = 0; r < rows; ++r) {
    sql += r == 0 ? "(" : ",(";
    for (int c = 1; c <= kColumnsPerRow; ++c) {
      sql += (c == 1 ? "?" : ",?") + std::to_string(r * kColumnsPerRow + c);
    }
    sql += ")";
  }
  return sql;
}

// The variables are not part of the content key: a job loaded again keeps
// its identity and takes the manifest's variables (a database loaded before
// schema version 3 held every value as a string).
constexpr const char* kRefreshVars = R"sql(
  UPDATE jobs SET vars = ?2 WHERE content_key = ?1 AND vars IS NOT ?2)sql";

constexpr const char* kMarkSeen = R"sql(
  UPDATE jobs SET load_serial = ?1 WHERE content_key = ?2 AND load_serial <> ?1)sql";

constexpr const char* kCreateSeenTable =
    "CREATE TEMP TABLE load_seen (key BLOB PRIMARY KEY) WITHOUT ROWID";

constexpr const char* kInsertSeen =
    "INSERT INTO temp.load_seen (key) VALUES (?1) ON CONFLICT DO NOTHING";

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
        now_(FormatIsoUtc(clock.Now())),
        settings_(db_, options_.cache_kib) {
    tx_.emplace(db_, SQLite::TransactionBehavior::IMMEDIATE);
    UpsertBatch(batch);
    insert_.emplace(db_, InsertJobsSql(1));
    BindConstants(*insert_, 1);
    StartTracking();
    if (first_load_) {
      insert_many_.emplace(db_, InsertJobsSql(kRowsPerInsert));
      BindConstants(*insert_many_, kRowsPerInsert);
      pending_.resize(kRowsPerInsert);
    }
  }

  ~Impl() {
    // Statements first: a rollback or a setting's change waits for none of
    // them; then the transaction, outside which foreign_keys can change.
    insert_.reset();
    insert_many_.reset();
    mark_.reset();
    refresh_.reset();
    tx_.reset();  // rolls back unless committed
  }

  void Add(const JobSpec& job) {
    if (first_load_) {
      Stage(job);
      return;
    }
    PendingJob& row = pending_one_;
    Fill(row, job);
    BindRow(*insert_, 0, row);
    const bool added = insert_->exec() == 1;
    insert_->reset();
    counts_.added += added ? 1 : 0;
    if (!added) RefreshVars(row);
    if (added && options_.seen_tracking == LoadOptions::SeenTracking::kLoadSerial) {
      counts_.listed += 1;  // inserted with this load's serial already
      return;
    }
    const ContentKey& key = row.key;
    mark_->bindNoCopy(mark_key_index_, key.data(), static_cast<int>(key.size()));
    counts_.listed += static_cast<std::uint64_t>(mark_->exec());
    mark_->reset();
  }

  LoadCounts Commit() {
    // The last rows of a first load, fewer than a whole statement's.
    for (std::size_t i = 0; i < pending_count_; ++i) {
      BindRow(*insert_, 0, pending_[i]);
      counts_.added += static_cast<std::uint64_t>(insert_->exec());
      insert_->reset();
    }
    pending_count_ = 0;
    if (first_load_) counts_.listed = counts_.added;
    insert_.reset();
    refresh_.reset();
    insert_many_.reset();
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
  // The connection's settings for a load, put back when it ends (also when
  // the constructor throws after them): the page cache, and foreign-key
  // enforcement off (see InsertJobsSql).
  class LoadSettings {
   public:
    LoadSettings(SQLite::Database& db, int cache_kib) : db_(db) {
      saved_cache_size_ = db_.execAndGet("PRAGMA cache_size").getInt();
      saved_foreign_keys_ = db_.execAndGet("PRAGMA foreign_keys").getInt();
      db_.exec("PRAGMA cache_size = -" + std::to_string(cache_kib));
      db_.exec("PRAGMA foreign_keys = OFF");
    }
    ~LoadSettings() {
      try {
        db_.exec("PRAGMA foreign_keys = " + std::to_string(saved_foreign_keys_));
        db_.exec("PRAGMA cache_size = " + std::to_string(saved_cache_size_));
        if (saved_temp_cache_size_) {
          db_.exec("PRAGMA temp.cache_size = " + std::to_string(*saved_temp_cache_size_));
        }
      } catch (const SQLite::Exception&) {
        // Only settings are lost; the connection is closed soon after.
      }
    }
    LoadSettings(const LoadSettings&) = delete;
    LoadSettings& operator=(const LoadSettings&) = delete;

    void SetTempCache(int kib) {
      saved_temp_cache_size_ = db_.execAndGet("PRAGMA temp.cache_size").getInt();
      db_.exec("PRAGMA temp.cache_size = -" + std::to_string(kib));
    }

   private:
    SQLite::Database& db_;
    int saved_cache_size_ = 0;
    int saved_foreign_keys_ = 1;
    std::optional<int> saved_temp_cache_size_;
  };

  // A job as the insert binds it: its strings are copied (into buffers that
  // keep their capacity) so that a first load can bind 32 at once.
  struct PendingJob {
    ContentKey key{};
    std::string prompt_id;
    std::string model;
    std::string prompt;
    std::string vars;  // JSON object; empty for none (bound as NULL)
    int repeat_index = 0;
  };

  void Fill(PendingJob& row, const JobSpec& job) {
    row.key = MakeContentKey(batch_name_, job.prompt_id, job.prompt, job.model, job.repeat_index);
    row.prompt_id.assign(job.prompt_id);
    row.model.assign(job.model);
    row.prompt.assign(job.prompt);
    if (job.vars.empty()) {
      row.vars.clear();
    } else {
      FormatVars(job, row.vars);
    }
    row.repeat_index = job.repeat_index;
  }

  // Gives the existing job of `row` its variables (a reload types what an older version stored as
  // strings).
  void RefreshVars(const PendingJob& row) {
    if (!refresh_) refresh_.emplace(db_, kRefreshVars);
    refresh_->bindNoCopy(1, row.key.data(), static_cast<int>(row.key.size()));
    if (row.vars.empty()) {
      refresh_->bind(2);
    } else {
      refresh_->bindNoCopy(2, row.vars);
    }
    refresh_->exec();
    refresh_->reset();
  }

  // The first load: jobs wait in pending_ until a statement's worth is there.
  // A job listed twice is inserted once (ON CONFLICT DO NOTHING) and, on a
  // first load, nothing else can already be there, so listed = added.
  void Stage(const JobSpec& job) {
    Fill(pending_[pending_count_], job);
    if (++pending_count_ < pending_.size()) return;
    for (std::size_t i = 0; i < pending_count_; ++i) {
      BindRow(*insert_many_, static_cast<int>(i), pending_[i]);
    }
    counts_.added += static_cast<std::uint64_t>(insert_many_->exec());
    insert_many_->reset();
    pending_count_ = 0;
  }

  // Bindings outlive reset(): batch, load time and serial are bound once.
  void BindConstants(SQLite::Statement& insert, int rows) {
    for (int r = 0; r < rows; ++r) {
      const int base = r * kColumnsPerRow;
      insert.bind(base + 1, batch_id_);
      insert.bindNoCopy(base + 8, now_);
      insert.bind(base + 9, serial_);
    }
  }

  // `row` into the statement's row `r`, without copying (it outlives exec).
  static void BindRow(SQLite::Statement& insert, int r, const PendingJob& row) {
    const int base = r * kColumnsPerRow;
    insert.bindNoCopy(base + 2, row.key.data(), static_cast<int>(row.key.size()));
    insert.bindNoCopy(base + 3, row.prompt_id);
    insert.bindNoCopy(base + 4, row.model);
    insert.bindNoCopy(base + 5, row.prompt);
    if (row.vars.empty()) {
      insert.bind(base + 6);
    } else {
      insert.bindNoCopy(base + 6, row.vars);
    }
    insert.bind(base + 7, row.repeat_index);
  }

  // A batch's first load needs no tracking: a key that is already there can
  // only be a job listed twice in this load.
  void StartTracking() {
    first_load_ = !db_.execAndGet("SELECT EXISTS (SELECT 1 FROM jobs WHERE batch_id = " +
                                  std::to_string(batch_id_) + ")")
                       .getInt();
    if (first_load_) return;
    if (options_.seen_tracking == LoadOptions::SeenTracking::kTempTable) {
      settings_.SetTempCache(options_.cache_kib / 4);
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
  LoadSettings settings_;  // before tx_: restored after it ends
  bool first_load_ = false;
  std::optional<SQLite::Transaction> tx_;
  std::optional<SQLite::Statement> insert_;       // one row
  std::optional<SQLite::Statement> insert_many_;  // kRowsPerInsert rows, first load only
  std::vector<PendingJob> pending_;               // rows for insert_many_
  std::size_t pending_count_ = 0;
  PendingJob pending_one_;  // the row for insert_
  std::optional<SQLite::Statement> mark_;
  std::optional<SQLite::Statement> refresh_;
  int mark_key_index_ = 2;  // where mark_ takes the content key
  std::int64_t batch_id_ = 0;
  std::int64_t serial_ = 0;
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
