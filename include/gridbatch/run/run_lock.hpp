// At most one `run` drives a database, under whatever name it is reached: a
// symlink, a hard link or another spelling of its path is the same database.
// Two locks, both released by the kernel when their process dies, however
// it dies, so a lock left by a dead process is simply taken over:
//   - an exclusive flock on "<resolved db path>.lock" (symlinks resolved),
//     which holds the owner's pid, host and start time for the message a
//     second run gets, and also guards a database not created yet;
//   - an open-file-description lock on one byte of the database file itself
//     (far past anything SQLite locks), which every name of the file shares.
//     Its owner's note is kept in the temp directory, named after the file's
//     device and inode, for the message.
#pragma once

#include <string>

namespace gridbatch::run {

class RunLock {
 public:
  // Takes the lock for `db_path`, or throws gridbatch::Error(kExitTempFail)
  // naming the run that holds it (kExitIoErr when the lock file cannot be
  // made). ":memory:" needs no lock. Takes the database file's lock too if
  // the file exists.
  explicit RunLock(const std::string& db_path);
  // Releases both locks and removes the lock file and the note.
  //
  // The database file's lock is held through a file descriptor of the
  // database: closing it drops every POSIX lock this process holds on the
  // file, SQLite's included. Destroy the RunLock only after this process's
  // connections to the database are closed.
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

  // Takes the database file's lock if the constructor could not (the file
  // did not exist yet); call once the file exists, before opening it.
  // Nothing when held already or the file is still missing. Throws as the
  // constructor does.
  void LockDatabaseFile();

  const std::string& path() const { return path_; }

 private:
  std::string db_path_;
  std::string path_;       // the lock file
  std::string note_path_;  // the owner's note of the database file's lock
  std::string owner_;      // "pid N on host H, started T"
  int fd_ = -1;
  int db_fd_ = -1;
};

}  // namespace gridbatch::run
