// The job store: one SQLite file holding batches and jobs (schema in
// schemas/migrations/, built into the binary and applied through
// PRAGMA user_version). WAL journal, a busy timeout, one writing connection.
//
// JobStore owns the connection. The store module's other classes (the batch
// loader, the run queue, the export reader) borrow it and must not outlive it.
// Environment failures (cannot open, not a database, disk full, read-only)
// throw gridbatch::Error with an exit code; SQLiteCpp exceptions never leave
// the store module.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace gridbatch::store {

struct OpenOptions {
  enum class Mode { kReadWrite, kReadOnly };
  // Default: kReadWrite, which creates the file and applies migrations.
  Mode mode = Mode::kReadWrite;
  // How long a statement waits for another connection's lock. Default: 5 s.
  int busy_timeout_ms = 5000;
  // kReadWrite only: fail with kExitNoInput, as kReadOnly does, instead of
  // creating a missing file (for commands that only change existing jobs).
  // Default: false.
  bool must_exist = false;
};

class JobStore {
 public:
  // Opens (and for kReadWrite creates and migrates) the database at `path`.
  // ":memory:" is allowed. Throws gridbatch::Error: kExitNoInput when a
  // read-only (or must_exist) open finds no file, kExitIoErr when the file
  // is not a usable SQLite database or is newer than this binary knows.
  static std::unique_ptr<JobStore> Open(const std::string& path, OpenOptions options = {});

  ~JobStore();
  JobStore(const JobStore&) = delete;
  JobStore& operator=(const JobStore&) = delete;

  const std::string& path() const { return path_; }
  // The schema version this database is at (PRAGMA user_version).
  int SchemaVersion() const;

  // Throws gridbatch::Error(kExitIoErr) when the file this store has open is
  // no longer the one its path names (deleted, or another file moved over
  // it), or its write-ahead log, once seen, was deleted or replaced: every
  // later write would go to a file nobody can open. Two stat()s; a long run
  // calls it every second or so. Nothing for ":memory:".
  void CheckStillSameFile();

  // Runs `body` inside BEGIN IMMEDIATE ... COMMIT; rolls back and rethrows
  // if `body` throws. Not reentrant.
  void InTransaction(const std::function<void()>& body);

  // The connection, for the store module's own classes only
  // (src/store/job_store_impl.hpp defines it).
  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  JobStore(std::string path, std::unique_ptr<Impl> impl);
  std::string path_;
  std::unique_ptr<Impl> impl_;
  std::uint64_t wal_inode_ = 0;  // of the -wal file as first seen; 0: not yet
  std::uint64_t wal_device_ = 0;
};

}  // namespace gridbatch::store
