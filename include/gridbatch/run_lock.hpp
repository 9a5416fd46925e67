// At most one `run` drives a database: an exclusive flock on "<db>.lock",
// which holds the owner's pid, host and start time for the message a second
// run gets. The kernel drops the lock when its process dies, however it
// dies, so a lock left by a dead process is simply taken over.
#pragma once

#include <string>

namespace gridbatch::run {

class RunLock {
 public:
  // Takes the lock for `db_path`, or throws gridbatch::Error(kExitTempFail)
  // naming the run that holds it. ":memory:" needs no lock.
  explicit RunLock(const std::string& db_path);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace gridbatch::run
