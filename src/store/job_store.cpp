#include "gridbatch/store/job_store.hpp"

#include <sqlite3.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <vector>

#include "gridbatch/error.hpp"
#include "job_store_impl.hpp"

namespace gridbatch::store {

extern const std::vector<std::string_view> kMigrations;

namespace {

// The schema version of `db`, refusing one newer than this binary knows: its
// tables may mean something this code would misread or break.
int CheckedVersion(SQLite::Database& db, const std::string& path) {
  const int current = db.execAndGet("PRAGMA user_version").getInt();
  const int latest = static_cast<int>(kMigrations.size());
  if (current > latest) {
    throw Error(kExitIoErr, "database " + path + ": schema version " + std::to_string(current) +
                                " is newer than this gridbatch knows (" + std::to_string(latest) +
                                ")");
  }
  return current;
}

// A read-only connection cannot migrate, so it needs the latest schema.
void CheckReadOnlyVersion(SQLite::Database& db, const std::string& path) {
  const int current = CheckedVersion(db, path);
  if (current == 0) {
    throw Error(kExitIoErr, "database " + path + ": not a gridbatch database (no schema)");
  }
  if (current < static_cast<int>(kMigrations.size())) {
    throw Error(kExitIoErr, "database " + path + ": schema version " + std::to_string(current) +
                                " is older than this gridbatch's; run `gridbatch load` on it "
                                "once to upgrade it");
  }
}

// Tables without a schema version of ours: another program's database. It
// must be refused before the switch to WAL or a migration changes it.
void RefuseForeignDatabase(SQLite::Database& db, const std::string& path) {
  const int version = db.execAndGet("PRAGMA user_version").getInt();
  const int objects = db.execAndGet("SELECT count(*) FROM sqlite_schema").getInt();
  if (version == 0 && objects > 0) {
    throw Error(kExitIoErr, "database " + path +
                                ": not a gridbatch database (it already holds other tables); "
                                "choose another --db file");
  }
}

// SQLite's own text for a read-only directory, "attempt to write a readonly
// database", puzzles a user who only asked to read.
std::string Describe(const SQLite::Exception& e, const std::string& path) {
  if (e.getExtendedErrorCode() == SQLITE_READONLY_DIRECTORY) {
    const std::string name = std::filesystem::path(path).filename().string();
    return "its directory is read-only, and SQLite must create " + name + "-wal and " + name +
           "-shm beside it, even to read it";
  }
  return e.what();
}

void ApplyMigrations(SQLite::Database& db, const std::string& path) {
  const int current = CheckedVersion(db, path);
  const int latest = static_cast<int>(kMigrations.size());
  for (int version = current + 1; version <= latest; ++version) {
    // One transaction each: a migration that fails leaves the previous
    // version as it was.
    try {
      SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
      db.exec(std::string(kMigrations[static_cast<std::size_t>(version - 1)]));
      db.exec("PRAGMA user_version = " + std::to_string(version));
      tx.commit();
    } catch (const SQLite::Exception& e) {
      RethrowStoreError(path,
                        "upgrade schema version " + std::to_string(version - 1) + " to " +
                            std::to_string(version),
                        e);
    }
  }
}

}  // namespace

[[noreturn]] void RethrowStoreError(const std::string& path, const std::string& doing,
                                    const SQLite::Exception& e) {
  const int code = e.getErrorCode();
  int exit_code = kExitIoErr;
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED) exit_code = kExitTempFail;
  throw Error(exit_code, "database " + path + ": " + doing + ": " + Describe(e, path));
}

std::unique_ptr<JobStore> JobStore::Open(const std::string& path, OpenOptions options) {
  const bool read_only = options.mode == OpenOptions::Mode::kReadOnly;
  if ((read_only || options.must_exist) && path != ":memory:" && !std::filesystem::exists(path)) {
    throw Error(kExitNoInput, "database " + path + ": no such file");
  }
  try {
    const int flags =
        read_only ? SQLite::OPEN_READONLY : SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE;
    SQLite::Database db(path, flags, options.busy_timeout_ms);
    // Reading the schema fails here, early, for a file that is not SQLite.
    db.execAndGet("SELECT count(*) FROM sqlite_schema");
    if (!read_only) {
      RefuseForeignDatabase(db, path);
      db.exec("PRAGMA journal_mode = WAL");
      db.exec("PRAGMA synchronous = NORMAL");
      db.exec("PRAGMA foreign_keys = ON");
      ApplyMigrations(db, path);
    } else {
      CheckReadOnlyVersion(db, path);
    }
    return std::unique_ptr<JobStore>(new JobStore(path, std::make_unique<Impl>(std::move(db))));
  } catch (const SQLite::Exception& e) {
    RethrowStoreError(path, "open", e);
  }
}

JobStore::JobStore(std::string path, std::unique_ptr<Impl> impl)
    : path_(std::move(path)), impl_(std::move(impl)) {}

JobStore::~JobStore() = default;

int JobStore::SchemaVersion() const {
  try {
    return impl_->db.execAndGet("PRAGMA user_version").getInt();
  } catch (const SQLite::Exception& e) {
    RethrowStoreError(path_, "read schema version", e);
  }
}

void JobStore::CheckStillSameFile() {
  if (path_ == ":memory:") return;
  const auto lost = [this](const std::string& what) {
    throw Error(kExitIoErr, "database " + path_ + ": " + what +
                                " while this process had it open; stopping, since what it "
                                "writes from now on would be lost");
  };
  int moved = 0;
  // SQLite compares the inode it has open with what the path names now.
  if (sqlite3_file_control(impl_->db.getHandle(), "main", SQLITE_FCNTL_HAS_MOVED, &moved) ==
          SQLITE_OK &&
      moved != 0) {
    struct stat now {};
    lost(stat(path_.c_str(), &now) != 0 ? "the file was deleted" : "the file was replaced");
  }
  // Its write-ahead log holds the commits not yet copied into the file: if
  // it goes, they go.
  const std::string wal = path_ + "-wal";
  struct stat now {};
  if (stat(wal.c_str(), &now) != 0) {
    if (errno == ENOENT && wal_inode_ != 0) lost("its write-ahead log " + wal + " was deleted");
    return;
  }
  const auto inode = static_cast<std::uint64_t>(now.st_ino);
  const auto device = static_cast<std::uint64_t>(now.st_dev);
  if (wal_inode_ != 0 && (inode != wal_inode_ || device != wal_device_)) {
    lost("its write-ahead log " + wal + " was replaced");
  }
  wal_inode_ = inode;
  wal_device_ = device;
}

void JobStore::InTransaction(const std::function<void()>& body) {
  try {
    SQLite::Transaction tx(impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
    body();
    tx.commit();
  } catch (const SQLite::Exception& e) {
    RethrowStoreError(path_, "transaction", e);
  }
}

}  // namespace gridbatch::store
